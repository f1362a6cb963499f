// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Response} from "./Response.sol";
import {Source} from "./Source.sol";
import {Task} from "./Task.sol";
import {Terminal} from "./Terminal.sol";
import {VaultBase} from "./VaultBase.sol";
import {
    CONTROLLER_ROLE,
    DEFAULT_AGENT,
    PROVIDER_ROLE,
    DeliveryMethod,
    ResponseParams,
    ResponseStatus,
    SourceParams,
    SourceStatus,
    TaskStatus,
    sliceAddresses
} from "./Types.sol";

/// @title Nexus: source registry, provider registration, attempts, responses, and the event hub.
/// @notice Deploys Source and Response contracts and emits every source, task and response
/// event, including those caused by Controller. Role checks go through Manager.
contract Nexus is Ownable {
    /// @notice Role id of the accounts that drive status setters and `emitTaskPublished`.
    bytes32 public constant CONTROLLER = CONTROLLER_ROLE;
    /// @notice Provider role id (nothing is gated on it).
    bytes32 public constant PROVIDER = PROVIDER_ROLE;

    /// @notice Manager holding the roles.
    address public manager;
    /// @notice Terminal answering pairing and agent questions.
    address public terminal;
    /// @notice Vault holding lockups and escrow.
    address public vault;
    /// @notice Every published source, in order.
    address[] public sources;
    /// @notice 1-based position in `sources`, 0 for an address that is not a source.
    mapping(address => uint256) public sourceId;
    /// @notice Each client's sources, in order.
    mapping(address => address[]) public sourcesOf;
    /// @notice Every client that published a source, in order of its first source.
    address[] public clients;
    /// @notice Number of ACTIVE sources per client.
    mapping(address => uint256) public activeSourceCountOf;

    mapping(address => bool) private _isTask;
    mapping(address => bool) private _isResponse;

    event SourcePublished(address source);
    event SourceUpdated(address source, SourceParams sourceParams);
    event SourceStatusChanged(address source, SourceStatus status);
    event TaskPublished(address task, address source);
    event TaskStatusChanged(address task, TaskStatus status);
    event Attempted(address task, address provider, uint256 suggestedPayment);
    event ResponseSubmitted(address response, address task);
    event ResponseStatusChanged(address response, ResponseStatus status);
    event Registered(address provider, uint256 registrantId, address source, uint8 preferredEnvironment);

    /// @param _manager Manager holding the roles.
    /// @param _terminal The Terminal (may be zero and set later).
    /// @param _vault The Vault (may be zero and set later).
    constructor(address _manager, address _terminal, address _vault) Ownable(msg.sender) {
        manager = _manager;
        terminal = _terminal;
        vault = _vault;
    }

    modifier onlyStatusAdmin() {
        require(msg.sender == owner() || checkController(msg.sender), "NotController");
        _;
    }

    // ----------------------------------------------------------------------------- sources

    /// @notice Deploys an ACTIVE Source for `_sourceParams.client` (the caller or its agent).
    function publishSource(SourceParams calldata _sourceParams) external {
        address client = _sourceParams.client;
        require(_isClientOrAgent(client), "NotOwner");
        address source = address(new Source(_sourceParams));
        sources.push(source);
        sourceId[source] = sources.length;
        if (sourcesOf[client].length == 0) {
            clients.push(client);
        }
        sourcesOf[client].push(source);
        activeSourceCountOf[client] += 1;
        emit SourcePublished(source);
    }

    /// @notice Replaces a source's parameters; the client may not change.
    function updateSource(address source, SourceParams calldata _sourceParams) external {
        require(_sourceParams.client == _requireSourceClient(source), "NotOwner");
        Source(source).setSourceParams(_sourceParams);
        emit SourceUpdated(source, _sourceParams);
    }

    /// @notice Makes a source INACTIVE for good.
    function inactivateSource(address source) external {
        _requireSourceClient(source);
        _setSourceStatus(source, SourceStatus.INACTIVE);
    }

    /// @notice Admin route to a source's status (owner or CONTROLLER); the source must be ACTIVE.
    function setSourceStatus(address source, SourceStatus status) external onlyStatusAdmin {
        _setSourceStatus(source, status);
    }

    // ------------------------------------------------------------------------ registration

    /// @notice Registers `provider` to an ACTIVE source with one environment flag of the source.
    function register(address source, address provider, uint8 preferredEnvironment) external {
        _requireActorFor(provider);
        _requireActiveSource(source);
        SourceParams memory params = Source(source).getSourceParams();
        require(VaultBase(vault).lockupOf(provider) >= _requiredLockup(params.minAvailableLockup), "InsufficientLockup");
        require(VaultBase(vault).isEligible(provider), "NotEligible");
        require(_isSingleFlagIn(preferredEnvironment, params.imageEnvironments), "InvalidEnvironment");
        require(Source(source).registrantId(provider) == 0, "AlreadyRegistered");
        uint256 registrantId = Source(source).register(provider, preferredEnvironment);
        emit Registered(provider, registrantId, source, preferredEnvironment);
    }

    /// @notice Removes `provider` from a source's registrants.
    function unregister(address source, address provider) external {
        _requireActorFor(provider);
        require(sourceId[source] != 0 && Source(source).registrantId(provider) != 0, "NotRegistered");
        Source(source).unregister(provider);
    }

    // ---------------------------------------------------------------- attempts and responses

    /// @notice Records `provider`'s attempt; the first attempt after expiry expires the task instead.
    function attempt(address task, address provider, uint256 suggestedPayment) external {
        require(_isTask[task], "UnknownTask");
        _requireActorFor(provider);
        Task t = Task(task);
        TaskStatus status = t.getStatus();
        _requireOpen(status);
        if (block.timestamp > t.getExpiryTime()) {
            require(status != TaskStatus.RESPONDED, "Expired");
            _expire(t);
            return;
        }
        require(Source(t.getSource()).registrantId(provider) != 0, "NotRegistered");
        require(VaultBase(vault).isEligible(provider), "NotEligible");
        require(t.attempterId(provider) == 0, "AlreadyAttempted");
        t.attempt(provider);
        emit Attempted(task, provider, suggestedPayment);
        if (status == TaskStatus.NEW) {
            emit TaskStatusChanged(task, TaskStatus.ATTEMPTED);
        }
    }

    /// @notice Deploys the caller's Response to a task it attempted; FIRST_RESPONSE tasks are
    /// confirmed and paid in the same call.
    function submitResponse(ResponseParams calldata _responseParams) external {
        address provider = _responseParams.provider;
        require(msg.sender == provider, "NotProvider");
        Task t = Task(_responseParams.task);
        require(_isTask[address(t)], "UnknownTask");
        TaskStatus status = t.getStatus();
        _requireOpen(status);
        require(block.timestamp <= t.getExpiryTime(), "Expired");
        require(t.attempterId(provider) != 0, "NotAttempted");
        require(
            t.responseOf(provider) == address(0) && !t.isAlreadySubmitted(keccak256(bytes(_responseParams.data))),
            "AlreadySubmitted"
        );
        address response = address(new Response(_responseParams));
        _isResponse[response] = true;
        t.submitResponse(response, provider);
        emit ResponseSubmitted(response, address(t));
        if (status == TaskStatus.ATTEMPTED) {
            emit TaskStatusChanged(address(t), TaskStatus.RESPONDED);
            if (t.deliveryMethod() == DeliveryMethod.FIRST_RESPONSE) {
                _autoConfirm(t, response, provider);
            }
        }
    }

    // ------------------------------------------------------------------- controller routes

    /// @notice Records a task Controller published and emits `TaskPublished` (CONTROLLER only).
    function emitTaskPublished(address task, address source) external {
        require(checkController(msg.sender), "NotController");
        _isTask[task] = true;
        Source(source).publishTask(task);
        emit TaskPublished(task, source);
    }

    /// @notice Sets a task's status (owner or CONTROLLER).
    function setTaskStatus(address task, TaskStatus status) external onlyStatusAdmin {
        require(_isTask[task], "UnknownTask");
        Task(task).setStatus(status);
        emit TaskStatusChanged(task, status);
    }

    /// @notice Sets a response's status (owner or CONTROLLER).
    function setResponseStatus(address response, ResponseStatus status) external onlyStatusAdmin {
        require(_isResponse[response], "ResponseNotFound");
        Response(response).setStatus(status);
        emit ResponseStatusChanged(response, status);
    }

    // ---------------------------------------------------------------------------- wiring

    /// @notice Rewires the Manager.
    function setManager(address _manager) external onlyOwner {
        manager = _manager;
    }

    /// @notice Rewires the Terminal.
    function setTerminal(address _terminal) external onlyOwner {
        terminal = _terminal;
    }

    /// @notice Rewires the Vault.
    function setVault(address _vault) external onlyOwner {
        vault = _vault;
    }

    // ----------------------------------------------------------------------------- views

    /// @notice Whether `account` holds the CONTROLLER role in Manager.
    function checkController(address account) public view returns (bool) {
        return IAccessControl(manager).hasRole(CONTROLLER_ROLE, account);
    }

    /// @notice Number of sources ever published.
    function getSourceCount() external view returns (uint256) {
        return sources.length;
    }

    /// @notice Sources at positions [lower, upper), clamped to the list.
    function getSources(uint256 lower, uint256 upper) external view returns (address[] memory) {
        return sliceAddresses(sources, lower, upper);
    }

    /// @notice 1-based source id, 0 for an address that is not a source.
    function getSourceId(address source) external view returns (uint256) {
        return sourceId[source];
    }

    /// @notice Number of ACTIVE sources of `client`.
    function getActiveSourceCount(address client) external view returns (uint256) {
        return activeSourceCountOf[client];
    }

    // -------------------------------------------------------------------------- internals

    function _setSourceStatus(address source, SourceStatus status) private {
        _requireActiveSource(source);
        if (status == SourceStatus.INACTIVE) {
            activeSourceCountOf[Source(source).getClient()] -= 1;
        }
        Source(source).setStatus(status);
        emit SourceStatusChanged(source, status);
    }

    function _expire(Task t) private {
        t.setStatus(TaskStatus.EXPIRED);
        emit TaskStatusChanged(address(t), TaskStatus.EXPIRED);
        VaultBase(vault).forceReleasePayment(t.owner(), address(t));
    }

    function _autoConfirm(Task t, address response, address provider) private {
        Response(response).confirm();
        emit ResponseStatusChanged(response, ResponseStatus.CONFIRMED);
        t.setStatus(TaskStatus.FINALIZED);
        emit TaskStatusChanged(address(t), TaskStatus.FINALIZED);
        VaultBase(vault).processPayment(t.owner(), provider, address(t), t.getPayment());
    }

    /// @dev The larger of a source's own lockup demand and the protocol-wide floor.
    function _requiredLockup(uint256 sourceMinimum) private view returns (uint256) {
        uint256 floor = VaultBase(vault).MIN_LOCKUP_PER_SOURCE();
        return sourceMinimum > floor ? sourceMinimum : floor;
    }

    /// @dev Returns the source's client after checking that the caller is it or its agent.
    function _requireSourceClient(address source) private view returns (address client) {
        require(sourceId[source] != 0, "NotOwner");
        client = Source(source).getClient();
        require(_isClientOrAgent(client), "NotOwner");
    }

    function _requireActiveSource(address source) private view {
        require(sourceId[source] != 0 && Source(source).getStatus() == SourceStatus.ACTIVE, "SourceInactive");
    }

    /// @dev CANCELED and FINALIZED give `AlreadyFinalized`; EXPIRED gives `Expired`.
    function _requireOpen(TaskStatus status) private pure {
        require(status != TaskStatus.CANCELED && status != TaskStatus.FINALIZED, "AlreadyFinalized");
        require(status != TaskStatus.EXPIRED, "Expired");
    }

    function _requireActorFor(address provider) private view {
        require(_isActorFor(provider), "NotAuthorized");
    }

    /// @dev The provider itself, its paired master, an agent of that master, or the default
    /// agent when the provider is paired and neither side opted out.
    function _isActorFor(address provider) private view returns (bool) {
        if (msg.sender == provider) {
            return true;
        }
        Terminal t = Terminal(terminal);
        address master = t.masterOf(provider);
        if (master == address(0)) {
            return false;
        }
        if (msg.sender == master || t.isAgentOf(master, msg.sender)) {
            return true;
        }
        return msg.sender == DEFAULT_AGENT && !t.defaultAgentDisabled(provider) && !t.defaultAgentDisabled(master);
    }

    function _isClientOrAgent(address client) private view returns (bool) {
        return msg.sender == client || Terminal(terminal).isAgentOf(client, msg.sender);
    }

    /// @dev Whether `flag` is exactly one bit and that bit is inside `mask`.
    function _isSingleFlagIn(uint8 flag, uint8 mask) private pure returns (bool) {
        return flag != 0 && flag & (flag - 1) == 0 && flag & mask == flag;
    }
}
