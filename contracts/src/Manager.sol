// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {CONTROLLER_ROLE, JUDGE_ROLE, PROVIDER_ROLE} from "./Types.sol";

/// @title Manager: the protocol's role registry.
/// @notice Standard AccessControl; DEFAULT_ADMIN_ROLE (held by the deployer) administers every role.
contract Manager is AccessControl {
    /// @notice Accounts that drive Nexus status setters, escrow and `emitTaskPublished`.
    bytes32 public constant CONTROLLER = CONTROLLER_ROLE;
    /// @notice Accounts that may sanction and waive stake in the Vault.
    bytes32 public constant JUDGE = JUDGE_ROLE;
    /// @notice Provider role id (nothing is gated on it).
    bytes32 public constant PROVIDER = PROVIDER_ROLE;

    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }
}
