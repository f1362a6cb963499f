// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SourceParams, SourceStatus, sliceAddresses} from "./Types.sol";

/// @title Source: one deployed per published source.
/// @notice Holds the source's parameters, status, task list and registered providers.
/// Its owner and `nexus` are the deploying Nexus; every write goes through Nexus, which does
/// the checks. This contract only records.
contract Source is Ownable {
    /// @notice The source's parameters (flattened getter).
    SourceParams public sourceParams;
    /// @notice ACTIVE until inactivated; INACTIVE is final.
    SourceStatus public status;
    /// @notice The Nexus that deployed this source.
    address public immutable nexus;
    /// @notice Every task published against this source, in order.
    address[] public tasks;
    /// @notice Providers currently registered (dense: removal swaps in the last entry).
    address[] public registrants;
    /// @notice 1-based position in `registrants`, 0 when not registered.
    mapping(address => uint256) public registrantId;
    /// @notice The single environment flag each registrant chose.
    mapping(address => uint8) public preferredEnvironmentOf;

    /// @param _sourceParams The source's initial parameters.
    constructor(SourceParams memory _sourceParams) payable Ownable(msg.sender) {
        sourceParams = _sourceParams;
        nexus = msg.sender;
    }

    /// @notice The source's client (its publisher), not its owner.
    function getClient() external view returns (address) {
        return sourceParams.client;
    }

    /// @notice The source's parameters as one tuple.
    function getSourceParams() external view returns (SourceParams memory) {
        return sourceParams;
    }

    /// @notice The source's status.
    function getStatus() external view returns (SourceStatus) {
        return status;
    }

    /// @notice Number of tasks ever published against this source.
    function getTaskCount() external view returns (uint256) {
        return tasks.length;
    }

    /// @notice Tasks at positions [lower, upper), clamped to the list.
    function getTasks(uint256 lower, uint256 upper) external view returns (address[] memory) {
        return sliceAddresses(tasks, lower, upper);
    }

    /// @notice Number of providers currently registered.
    function getRegistrantCount() external view returns (uint256) {
        return registrants.length;
    }

    /// @notice Registrants at positions [lower, upper), clamped to the list.
    function getRegistrants(uint256 lower, uint256 upper) external view returns (address[] memory) {
        return sliceAddresses(registrants, lower, upper);
    }

    /// @notice 1-based registrant id of `provider`, 0 when not registered.
    function getRegistrantId(address provider) external view returns (uint256) {
        return registrantId[provider];
    }

    /// @notice Appends a newly published task.
    function publishTask(address task) external onlyOwner {
        tasks.push(task);
    }

    /// @notice Appends `provider` to the registrants and returns its registrant id.
    function register(address provider, uint8 preferredEnvironment) external onlyOwner returns (uint256) {
        registrants.push(provider);
        registrantId[provider] = registrants.length;
        preferredEnvironmentOf[provider] = preferredEnvironment;
        return registrants.length;
    }

    /// @notice Removes `provider`; the last registrant takes its slot.
    function unregister(address provider) external onlyOwner {
        uint256 index = registrantId[provider] - 1;
        address last = registrants[registrants.length - 1];
        registrants[index] = last;
        registrantId[last] = index + 1;
        registrants.pop();
        delete registrantId[provider];
        delete preferredEnvironmentOf[provider];
    }

    /// @notice Replaces the source's parameters.
    function setSourceParams(SourceParams calldata _sourceParams) external onlyOwner {
        sourceParams = _sourceParams;
    }

    /// @notice Sets the source's status.
    function setStatus(SourceStatus _status) external onlyOwner {
        status = _status;
    }
}
