// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultBase} from "./VaultBase.sol";

/// @title VaultTestnet: the testnet Vault surface (no cancelUnbonding, emergencyExit,
/// withdrawSanctionOf or UnbondingCanceled).
contract VaultTestnet is VaultBase {
    /// @param _manager Manager holding the roles.
    /// @param _nexus The Nexus allowed to move escrow.
    /// @param _terminal The Terminal (may be zero and set later).
    constructor(address _manager, address _nexus, address _terminal) VaultBase(_manager, _nexus, _terminal) {}
}
