// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Nexus} from "./Nexus.sol";
import {Response} from "./Response.sol";
import {Source} from "./Source.sol";
import {Task} from "./Task.sol";
import {Terminal} from "./Terminal.sol";
import {VaultBase} from "./VaultBase.sol";
import {ResponseParams, ResponseStatus, SourceParams, SourceStatus, TaskParams, TaskStatus} from "./Types.sol";

/// @title Controller: task publication, payment escrow and finalisation.
/// @notice Deploys Task contracts (owned by the task's client), escrows their payment in the
/// Vault, and drives status changes through Nexus, which emits the events. Needs the
/// CONTROLLER role in Manager.
contract Controller is Ownable {
    /// @notice Nexus emitting the events and holding the status setters.
    address public nexus;
    /// @notice Terminal answering agent questions.
    address public terminal;
    /// @notice Vault holding the escrow.
    address public vault;

    mapping(address => bool) private _isTask;

    /// @param _nexus The Nexus.
    /// @param _terminal The Terminal.
    /// @param _vault The Vault.
    constructor(address _nexus, address _terminal, address _vault) Ownable(msg.sender) {
        nexus = _nexus;
        terminal = _terminal;
        vault = _vault;
    }

    /// @notice Publishes a task against an ACTIVE source, escrowing its payment from the
    /// client's Vault balance. The client is the caller, or the source's client when the
    /// caller is that client's agent.
    function publishTask(TaskParams calldata _taskParams) external {
        address source = _taskParams.source;
        require(
            Nexus(nexus).getSourceId(source) != 0 && Source(source).getStatus() == SourceStatus.ACTIVE,
            "SourceInactive"
        );
        SourceParams memory params = Source(source).getSourceParams();
        require(_taskParams.payment >= params.minPayment, "InvalidPayment");
        require(
            _taskParams.expiryTime > block.timestamp
                && _taskParams.expiryTime - block.timestamp <= params.maxExpiryDuration,
            "InvalidExpiry"
        );
        address client = _clientFor(params.client);
        Task task = new Task(_taskParams, params.deliveryMethod, nexus);
        task.transferOwnership(client);
        _isTask[address(task)] = true;
        VaultBase(vault).freezePayment(client, address(task), _taskParams.payment);
        Nexus(nexus).emitTaskPublished(address(task), source);
    }

    /// @notice Cancels a NEW task and refunds its escrow to the task's client.
    function cancelTask(address task) external {
        require(_isTask[task], "UnknownTask");
        address client = Task(task).owner();
        _requireClientOrAgent(client);
        require(Task(task).getStatus() == TaskStatus.NEW, "AlreadyFinalized");
        Nexus(nexus).setTaskStatus(task, TaskStatus.CANCELED);
        VaultBase(vault).releasePayment(client, task);
    }

    /// @notice Confirms a response of a RESPONDED task, finalises the task and pays the provider.
    function confirmResponse(address response) external {
        require(response.code.length != 0, "ResponseNotFound");
        ResponseParams memory params = Response(response).getResponseParams();
        Task task = Task(params.task);
        require(_isTask[address(task)] && task.responseOf(params.provider) == response, "ResponseNotFound");
        address client = task.owner();
        _requireClientOrAgent(client);
        require(Response(response).getStatus() != ResponseStatus.CONFIRMED, "AlreadyConfirmed");
        require(task.getStatus() == TaskStatus.RESPONDED, "AlreadyFinalized");
        Nexus(nexus).setResponseStatus(response, ResponseStatus.CONFIRMED);
        Nexus(nexus).setTaskStatus(address(task), TaskStatus.FINALIZED);
        VaultBase(vault).processPayment(client, params.provider, address(task), task.getPayment());
    }

    /// @notice Rewires the Nexus.
    function setNexus(address _nexus) external onlyOwner {
        nexus = _nexus;
    }

    /// @notice Rewires the Terminal.
    function setTerminal(address _terminal) external onlyOwner {
        terminal = _terminal;
    }

    /// @notice Rewires the Vault.
    function setVault(address _vault) external onlyOwner {
        vault = _vault;
    }

    function _clientFor(address sourceClient) private view returns (address) {
        bool agentOfSourceClient = msg.sender != sourceClient && Terminal(terminal).isAgentOf(sourceClient, msg.sender);
        return agentOfSourceClient ? sourceClient : msg.sender;
    }

    function _requireClientOrAgent(address client) private view {
        require(msg.sender == client || Terminal(terminal).isAgentOf(client, msg.sender), "NotOwner");
    }
}
