// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ResponseParams, ResponseStatus} from "./Types.sol";

/// @title Response: one deployed per submitted response.
/// @notice Records a provider's answer to a task. Its owner is the deploying Nexus.
contract Response is Ownable {
    /// @notice The response's parameters (flattened getter).
    ResponseParams public responseParams;
    /// @notice SUBMITTED until confirmed.
    ResponseStatus public status;
    /// @notice True while this response is the task's confirmed winner.
    bool public confirmedFinal;
    /// @notice Block time of submission.
    uint256 public immutable responseTimestamp;

    /// @param _responseParams What the provider submitted.
    constructor(ResponseParams memory _responseParams) payable Ownable(msg.sender) {
        responseParams = _responseParams;
        responseTimestamp = block.timestamp;
    }

    /// @notice The response's parameters as one tuple.
    function getResponseParams() external view returns (ResponseParams memory) {
        return responseParams;
    }

    /// @notice The response's status.
    function getStatus() external view returns (ResponseStatus) {
        return status;
    }

    /// @notice Marks this response as the confirmed winner.
    function confirm() external onlyOwner {
        _setStatus(ResponseStatus.CONFIRMED);
    }

    /// @notice Sets the status; `confirmedFinal` follows it (true exactly when CONFIRMED).
    function setStatus(ResponseStatus _status) external onlyOwner {
        _setStatus(_status);
    }

    function _setStatus(ResponseStatus newStatus) private {
        status = newStatus;
        confirmedFinal = newStatus == ResponseStatus.CONFIRMED;
    }
}
