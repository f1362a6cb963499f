// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {VaultBase} from "./VaultBase.sol";
import {PROVIDER_ROLE} from "./Types.sol";

/// @title Terminal: identity, provider/master pairing and delegation to agents.
/// @notice A master and a provider pair through a two-sided handshake (`announceProvider` by
/// the master, `announceMaster` by the provider, in either order). Clients and masters
/// authorise agents; providers opt out of the default agent; provider runtimes publish data.
contract Terminal is Ownable {
    /// @notice Role id of providers (informational; nothing is gated on it).
    bytes32 public constant PROVIDER = PROVIDER_ROLE;

    /// @notice Manager holding the roles.
    address public manager;
    /// @notice Vault credited by `announceProvider`.
    address public vault;
    /// @notice The paired master of a provider, or zero.
    mapping(address => address) public masterOf;
    /// @notice The paired provider of a master, or zero.
    mapping(address => address) public providerOf;
    /// @notice Whether the account was ever announced as a master by a provider.
    mapping(address => bool) public isMaster;
    /// @notice Whether the account was ever announced as a provider by a master.
    mapping(address => bool) public isProvider;
    /// @notice Explicit agent grants: principal => agent => granted.
    mapping(address => mapping(address => bool)) public isAgentOf;
    /// @notice Whether the account opted out of the default agent.
    mapping(address => bool) public defaultAgentDisabled;
    /// @notice Self-reported base data of each provider.
    mapping(address => string) public baseDataOf;
    /// @notice Self-reported live data of each provider.
    mapping(address => string) public liveDataOf;

    /// @dev The master that announced each provider (its half of the handshake).
    mapping(address => address) private _offerOf;
    /// @dev The master each provider announced (its half of the handshake).
    mapping(address => address) private _choiceOf;

    event ProviderAnnounced(address provider, address master);
    event MasterAnnounced(address provider, address master);
    event ProviderRemoved(address provider);
    event RemoveContainer(address provider, address source);
    event AgentSet(address account, address agent, bool value);
    event DefaultAgentDisabled(address master, bool value);
    event BaseDataUpdated(address provider);
    event LiveDataUpdated(address provider);

    /// @param _manager Manager holding the roles.
    /// @param _vault The Vault (may be zero and set later).
    constructor(address _manager, address _vault) Ownable(msg.sender) {
        manager = _manager;
        vault = _vault;
    }

    /// @notice Master's half of the pairing; `amount` (= msg.value) funds the provider's lockup.
    function announceProvider(address provider, uint256 amount) external payable {
        require(msg.value == amount, "ValueMismatch");
        _requireUnpairedOrSame(provider, msg.sender);
        isProvider[provider] = true;
        _offerOf[provider] = msg.sender;
        if (amount > 0) {
            VaultBase(vault).deposit{value: amount}(provider);
        }
        emit ProviderAnnounced(provider, msg.sender);
        _pairIfAgreed(provider);
    }

    /// @notice Provider's half of the pairing.
    function announceMaster(address master) external {
        _requireUnpairedOrSame(msg.sender, master);
        isMaster[master] = true;
        _choiceOf[msg.sender] = master;
        emit MasterAnnounced(msg.sender, master);
        _pairIfAgreed(msg.sender);
    }

    /// @notice Dissolves the pairing (or withdraws a pending announcement) of the caller's provider.
    function removeProvider(address provider) external {
        // While paired, the offering master is the paired master.
        require(_offerOf[provider] == msg.sender, "NotMaster");
        address master = masterOf[provider];
        delete _offerOf[provider];
        delete _choiceOf[provider];
        if (master != address(0)) {
            delete masterOf[provider];
            delete providerOf[master];
        }
        emit ProviderRemoved(provider);
    }

    /// @notice Asks `provider` to stop `source`'s container; a signal only.
    function removeContainer(address provider, address source) external {
        require(masterOf[provider] == msg.sender, "NotMaster");
        emit RemoveContainer(provider, source);
    }

    /// @notice Grants (`value` true) or revokes an agent for the caller. Providers may not.
    function setAgent(address agent, bool value) external {
        require(!isProvider[msg.sender], "NotAuthorized");
        require(agent != address(0), "InvalidAgent");
        isAgentOf[msg.sender][agent] = value;
        emit AgentSet(msg.sender, agent, value);
    }

    /// @notice Opts the caller out of (true) or back into (false) the default agent.
    function setDefaultAgentDisabled(bool value) external {
        defaultAgentDisabled[msg.sender] = value;
        emit DefaultAgentDisabled(msg.sender, value);
    }

    /// @notice Stores the caller's base data.
    function setBaseData(string calldata _baseData) external {
        baseDataOf[msg.sender] = _baseData;
        emit BaseDataUpdated(msg.sender);
    }

    /// @notice Stores the caller's live data.
    function setLiveData(string calldata _liveData) external {
        liveDataOf[msg.sender] = _liveData;
        emit LiveDataUpdated(msg.sender);
    }

    /// @notice Rewires the Manager.
    function setManager(address _manager) external onlyOwner {
        manager = _manager;
    }

    /// @notice Rewires the Vault.
    function setVault(address _vault) external onlyOwner {
        vault = _vault;
    }

    /// @notice The paired master of `provider`, or zero.
    function getMasterOf(address provider) external view returns (address) {
        return masterOf[provider];
    }

    /// @notice Whether `master` was ever announced as a master.
    function getIsMaster(address master) external view returns (bool) {
        return isMaster[master];
    }

    /// @notice Whether `agent` holds an explicit grant from `master` (any principal).
    function getIsAgentOf(address master, address agent) external view returns (bool) {
        return isAgentOf[master][agent];
    }

    /// @dev Each side may be paired only with the other.
    function _requireUnpairedOrSame(address provider, address master) private view {
        address currentMaster = masterOf[provider];
        address currentProvider = providerOf[master];
        require(
            (currentMaster == address(0) || currentMaster == master)
                && (currentProvider == address(0) || currentProvider == provider),
            "AlreadyPaired"
        );
    }

    function _pairIfAgreed(address provider) private {
        address master = _offerOf[provider];
        if (master != address(0) && _choiceOf[provider] == master) {
            masterOf[provider] = master;
            providerOf[master] = provider;
        }
    }
}
