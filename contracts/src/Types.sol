// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Shared protocol types, declared at file level so that ABI internal types read
// `enum TaskStatus` and `struct SourceParams` (unqualified), as in the published ABIs.

/// @notice Lifecycle of a task. CANCELED, EXPIRED and FINALIZED are final.
enum TaskStatus {
    NEW,
    ATTEMPTED,
    RESPONDED,
    CANCELED,
    EXPIRED,
    FINALIZED
}

/// @notice Lifecycle of a source. INACTIVE is final.
enum SourceStatus {
    ACTIVE,
    INACTIVE
}

/// @notice Lifecycle of a response. There is no rejected state.
enum ResponseStatus {
    SUBMITTED,
    CONFIRMED
}

/// @notice How a task picks its winning response.
enum DeliveryMethod {
    MANUAL_CONFIRMATION,
    FIRST_RESPONSE
}

/// @notice Parameters of a source, owned by its client.
struct SourceParams {
    address client;
    string imageMetadataUrl;
    uint8 imageEnvironments;
    uint256 minPayment;
    uint256 minAvailableLockup;
    uint256 maxExpiryDuration;
    bool privacyEnabled;
    string optionalParamsUrl;
    DeliveryMethod deliveryMethod;
    uint256 lastUpdateTime;
}

/// @notice Parameters of a task, fixed at publication.
struct TaskParams {
    address source;
    string config;
    uint256 expiryTime;
    uint256 payment;
}

/// @notice Parameters of a submitted response.
struct ResponseParams {
    address task;
    address provider;
    string data;
    uint256 payment;
}

/// @dev Manager role ids: keccak256 of the role name.
bytes32 constant CONTROLLER_ROLE = keccak256("CONTROLLER");
bytes32 constant JUDGE_ROLE = keccak256("JUDGE");
bytes32 constant PROVIDER_ROLE = keccak256("PROVIDER");
bytes32 constant ADMIN_ROLE = 0x00;

/// @dev The default scheduling agent, "The Order".
address constant DEFAULT_AGENT = 0x306Dc3fF30254675B209D916475094401aCC4a1E;

/// @dev Items [lower, min(upper, length)) of an address list; empty when that range is empty.
function sliceAddresses(address[] storage list, uint256 lower, uint256 upper)
    view
    returns (address[] memory page)
{
    uint256 end = upper < list.length ? upper : list.length;
    if (lower >= end) {
        return new address[](0);
    }
    page = new address[](end - lower);
    for (uint256 i = lower; i < end; i++) {
        page[i - lower] = list[i];
    }
}

/// @dev Items [lower, min(upper, length)) of a uint256 list; empty when that range is empty.
function sliceUints(uint256[] storage list, uint256 lower, uint256 upper)
    view
    returns (uint256[] memory page)
{
    uint256 end = upper < list.length ? upper : list.length;
    if (lower >= end) {
        return new uint256[](0);
    }
    page = new uint256[](end - lower);
    for (uint256 i = lower; i < end; i++) {
        page[i - lower] = list[i];
    }
}
