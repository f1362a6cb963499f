// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultBase} from "./VaultBase.sol";

/// @title Vault (mainnet surface): VaultBase plus unbonding cancellation and the admin exits.
contract Vault is VaultBase {
    event UnbondingCanceled(address account, uint256 amount);

    /// @param _manager Manager holding the roles.
    /// @param _nexus The Nexus allowed to move escrow.
    /// @param _terminal The Terminal (may be zero and set later).
    constructor(address _manager, address _nexus, address _terminal) VaultBase(_manager, _nexus, _terminal) {}

    /// @notice Moves the caller's whole unbonding amount back into lockup.
    function cancelUnbonding() external {
        uint256 amount = unbondingOf[msg.sender];
        require(amount > 0, "NothingToCancel");
        _clearUnbonding(msg.sender);
        lockupOf[msg.sender] += amount;
        emit UnbondingCanceled(msg.sender, amount);
    }

    /// @notice Pays `account`'s sanctioned funds to the caller (admin) and zeroes them.
    function withdrawSanctionOf(address account) external onlyAdmin {
        uint256 amount = sanctionOf[account];
        delete sanctionOf[account];
        sanctionedAmount -= amount;
        _send(msg.sender, amount);
    }

    /// @notice Pays `account`'s liquid, locked and unbonding funds (not escrow) to `account`.
    function emergencyExit(address account) external onlyAdmin {
        uint256 amount = balanceOf[account] + lockupOf[account] + unbondingOf[account];
        delete balanceOf[account];
        delete lockupOf[account];
        _clearUnbonding(account);
        _send(account, amount);
    }
}
