// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Response} from "./Response.sol";
import {DeliveryMethod, TaskParams, TaskStatus, sliceAddresses, sliceUints} from "./Types.sol";

/// @title Task: one deployed per published task.
/// @notice Records a task's attempts, responses and status. Controller deploys it and hands
/// ownership to the task's client, so `owner()` is the client. Writes are reserved to the
/// Nexus given to the constructor, which does the checks; this contract only records.
contract Task is Ownable {
    /// @notice The task's parameters (flattened getter).
    TaskParams public taskParams;
    /// @notice Copied from the source at publication; never changes.
    DeliveryMethod public immutable deliveryMethod;
    /// @notice The task's status.
    TaskStatus public status;
    /// @notice Providers that attempted the task, in order.
    address[] public attempters;
    /// @notice Block time of each attempt, index-aligned with `attempters`.
    uint256[] public attemptTimestamps;
    /// @notice 1-based position in `attempters`, 0 when the provider never attempted.
    mapping(address => uint256) public attempterId;
    /// @notice Each provider's Response, or zero.
    mapping(address => address) public responseOf;
    /// @notice Provider of the confirmed response; zero until FINALIZED.
    address public winningProvider;
    /// @notice Whether keccak256(bytes(data)) of a response was already submitted here.
    mapping(bytes32 => bool) public isAlreadySubmitted;

    address private immutable _nexus;
    address[] private _responses;

    /// @param _taskParams The task's parameters.
    /// @param _deliveryMethod The delivery method of the task's source.
    /// @param nexus The only account allowed to record attempts, responses and status.
    constructor(TaskParams memory _taskParams, DeliveryMethod _deliveryMethod, address nexus)
        payable
        Ownable(msg.sender)
    {
        taskParams = _taskParams;
        deliveryMethod = _deliveryMethod;
        _nexus = nexus;
    }

    modifier onlyNexus() {
        require(msg.sender == _nexus, "NotNexus");
        _;
    }

    /// @notice The source the task was published against.
    function getSource() external view returns (address) {
        return taskParams.source;
    }

    /// @notice The payment escrowed for the winning provider, in wei.
    function getPayment() external view returns (uint256) {
        return taskParams.payment;
    }

    /// @notice Unix time after which the task can no longer be attempted.
    function getExpiryTime() external view returns (uint256) {
        return taskParams.expiryTime;
    }

    /// @notice The task's status.
    function getStatus() external view returns (TaskStatus) {
        return status;
    }

    /// @notice The task's delivery method.
    function getDeliveryMethod() external view returns (DeliveryMethod) {
        return deliveryMethod;
    }

    /// @notice Number of attempts.
    function getAttemptCount() external view returns (uint256) {
        return attempters.length;
    }

    /// @notice Attempters at positions [lower, upper), clamped to the list.
    function getAttempters(uint256 lower, uint256 upper) external view returns (address[] memory) {
        return sliceAddresses(attempters, lower, upper);
    }

    /// @notice Attempt times at positions [lower, upper), clamped to the list.
    function getAttemptTimestamps(uint256 lower, uint256 upper) external view returns (uint256[] memory) {
        return sliceUints(attemptTimestamps, lower, upper);
    }

    /// @notice 1-based attempter id of `provider`, 0 when it never attempted.
    function getAttempterId(address provider) external view returns (uint256) {
        return attempterId[provider];
    }

    /// @notice Responses index-aligned with `attempters` (zero where none), clamped to the list.
    function getResponsesOf(uint256 lower, uint256 upper) external view returns (address[] memory) {
        return sliceAddresses(_responses, lower, upper);
    }

    /// @notice Records an attempt by `provider`; the first one moves NEW to ATTEMPTED.
    function attempt(address provider) external onlyNexus {
        attempters.push(provider);
        attemptTimestamps.push(block.timestamp);
        _responses.push(address(0));
        attempterId[provider] = attempters.length;
        if (status == TaskStatus.NEW) {
            status = TaskStatus.ATTEMPTED;
        }
    }

    /// @notice Records `provider`'s response; the first one moves ATTEMPTED to RESPONDED.
    function submitResponse(address response, address provider) external onlyNexus {
        responseOf[provider] = response;
        _responses[attempterId[provider] - 1] = response;
        isAlreadySubmitted[keccak256(bytes(Response(response).getResponseParams().data))] = true;
        if (status == TaskStatus.ATTEMPTED) {
            status = TaskStatus.RESPONDED;
        }
    }

    /// @notice Sets the status; FINALIZED also records the provider of the confirmed response.
    function setStatus(TaskStatus _status) external onlyNexus {
        status = _status;
        if (_status == TaskStatus.FINALIZED) {
            winningProvider = _confirmedProvider();
        }
    }

    function _confirmedProvider() private view returns (address) {
        for (uint256 i = 0; i < _responses.length; i++) {
            if (_responses[i] != address(0) && Response(_responses[i]).confirmedFinal()) {
                return attempters[i];
            }
        }
        return address(0);
    }
}
