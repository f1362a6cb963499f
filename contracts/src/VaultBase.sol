// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ADMIN_ROLE, CONTROLLER_ROLE, JUDGE_ROLE} from "./Types.sol";

/// @title VaultBase: the Vault surface shared by every network.
/// @notice Native-coin accounts with five buckets: liquid balance, lockup (stake), unbonding,
/// per-client escrow of task payments, and sanctions. Not Ownable: admin functions need
/// DEFAULT_ADMIN_ROLE in Manager, sanctions need JUDGE, escrow moves need the Nexus or the
/// CONTROLLER role. Deployed as `Vault` (mainnet surface) or `VaultTestnet`.
abstract contract VaultBase {
    /// @dev The escrow of one task: who paid it and what is left.
    struct Escrow {
        address payer;
        uint256 amount;
    }

    /// @notice Manager holding the roles.
    address public immutable manager;
    /// @notice The Nexus allowed to move escrow.
    address public immutable nexus;
    /// @notice The Terminal whose deposits go straight into lockup.
    address public terminal;

    /// @notice Liquid balance per account.
    mapping(address => uint256) public balanceOf;
    /// @notice Staked amount per account.
    mapping(address => uint256) public lockupOf;
    /// @notice Amount in cooldown per account.
    mapping(address => uint256) public unbondingOf;
    /// @notice When the account's unbonding amount matures; 0 if none.
    mapping(address => uint256) public unbondingTimestamp;
    /// @notice Lifetime earnings per provider; never decreases.
    mapping(address => uint256) public totalEarningsOf;
    /// @notice Escrow held for each client's pending tasks.
    mapping(address => uint256) public frozenPayment;
    /// @notice Sanctioned stake per account.
    mapping(address => uint256) public sanctionOf;
    /// @notice Accounts eligible whatever their lockup and sanctions.
    mapping(address => bool) public isWhitelisted;
    /// @notice Sum of every account's sanction.
    uint256 public sanctionedAmount;
    /// @notice Protocol-wide lockup floor for registration and eligibility, in wei.
    uint256 public MIN_LOCKUP_PER_SOURCE;
    /// @notice Cooldown between unbond and claim, in seconds.
    uint256 public UNBONDING_PERIOD = 600;

    mapping(address => Escrow) private _escrowOf;

    event Deposited(address account, uint256 amount);
    event Withdrawn(address account, uint256 amount);
    event Locked(address account, uint256 amount);
    event Unbonded(address account, uint256 amount);
    event Claimed(address account, uint256 amount);
    event Sanctioned(address account, uint256 amount);
    event Waived(address account, uint256 amount);

    /// @param _manager Manager holding the roles.
    /// @param _nexus The Nexus allowed to move escrow.
    /// @param _terminal The Terminal (may be zero and set later).
    constructor(address _manager, address _nexus, address _terminal) {
        manager = _manager;
        nexus = _nexus;
        terminal = _terminal;
    }

    modifier onlyAdmin() {
        require(_hasRole(ADMIN_ROLE), "NotAdmin");
        _;
    }

    modifier onlyJudge() {
        require(_hasRole(JUDGE_ROLE), "NotJudge");
        _;
    }

    modifier onlyProtocol() {
        require(_isProtocol(), "NotController");
        _;
    }

    /// @notice Credits `msg.value` to `account`'s liquid balance; from Terminal, to its lockup.
    function deposit(address account) external payable {
        require(msg.value > 0, "ZeroAmount");
        emit Deposited(account, msg.value);
        if (msg.sender == terminal) {
            lockupOf[account] += msg.value;
            emit Locked(account, msg.value);
        } else {
            balanceOf[account] += msg.value;
        }
    }

    /// @notice Sends `amount` of the caller's liquid balance to the caller.
    function withdraw(uint256 amount) external {
        _debitBalance(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Moves `amount` of the caller's liquid balance into lockup.
    function lock(uint256 amount) external {
        _debitBalance(msg.sender, amount);
        lockupOf[msg.sender] += amount;
        emit Locked(msg.sender, amount);
    }

    /// @notice Moves `amount` of lockup into unbonding; the whole bucket matures a period from now.
    function unbond(uint256 amount) external {
        _debitLockup(msg.sender, amount);
        unbondingOf[msg.sender] += amount;
        unbondingTimestamp[msg.sender] = block.timestamp + UNBONDING_PERIOD;
        emit Unbonded(msg.sender, amount);
    }

    /// @notice Moves matured unbonding into the caller's liquid balance.
    function claim() external {
        uint256 amount = unbondingOf[msg.sender];
        require(amount > 0, "NothingToClaim");
        require(block.timestamp >= unbondingTimestamp[msg.sender], "UnbondingNotElapsed");
        _clearUnbonding(msg.sender);
        balanceOf[msg.sender] += amount;
        emit Claimed(msg.sender, amount);
    }

    /// @notice Escrows `amount` of `client`'s liquid balance for `task`.
    function freezePayment(address client, address task, uint256 amount) external onlyProtocol {
        Escrow storage escrow = _escrowOf[task];
        require(escrow.amount == 0 || escrow.payer == client, "NotOwner");
        _debitBalance(client, amount);
        escrow.payer = client;
        escrow.amount += amount;
        frozenPayment[client] += amount;
    }

    /// @notice Returns `task`'s escrow to `client`, the task's current client (used on cancel).
    function releasePayment(address client, address task) external onlyProtocol {
        _settle(task, client, address(0), 0);
    }

    /// @notice Same as `releasePayment`; used on lazy expiry and by the admin.
    function forceReleasePayment(address client, address task) external {
        require(_isProtocol() || _hasRole(ADMIN_ROLE), "NotController");
        _settle(task, client, address(0), 0);
    }

    /// @notice Pays `amount` of `task`'s escrow to `provider`; any rest returns to `client`.
    function processPayment(address client, address provider, address task, uint256 amount) external onlyProtocol {
        _settle(task, client, provider, amount);
    }

    /// @notice Moves `amount` of `account`'s lockup into its sanction.
    function sanction(address account, uint256 amount) external onlyJudge {
        _debitLockup(account, amount);
        sanctionOf[account] += amount;
        sanctionedAmount += amount;
        emit Sanctioned(account, amount);
    }

    /// @notice Returns `amount` of `account`'s sanction to its lockup.
    function waive(address account, uint256 amount) external onlyJudge {
        require(sanctionOf[account] >= amount, "InsufficientBalance");
        sanctionOf[account] -= amount;
        sanctionedAmount -= amount;
        lockupOf[account] += amount;
        emit Waived(account, amount);
    }

    /// @notice Sets whether `account` is whitelisted.
    function setWhitelist(address account, bool value) external onlyAdmin {
        isWhitelisted[account] = value;
    }

    /// @notice Sets the protocol-wide lockup floor.
    function setMinLockupPerSource(uint256 amount) external onlyAdmin {
        MIN_LOCKUP_PER_SOURCE = amount;
    }

    /// @notice Sets the unbonding cooldown (applies to later unbonds).
    function setMaxUnbondingPeriod(uint256 period) external onlyAdmin {
        UNBONDING_PERIOD = period;
    }

    /// @notice Rewires the Terminal.
    function setTerminal(address _terminal) external onlyAdmin {
        terminal = _terminal;
    }

    /// @notice Liquid balance of `account`.
    function getBalanceOf(address account) external view returns (uint256) {
        return balanceOf[account];
    }

    /// @notice Lockup of `account`.
    function getLockupOf(address account) external view returns (uint256) {
        return lockupOf[account];
    }

    /// @notice Whitelisted, or unsanctioned with at least the lockup floor.
    function isEligible(address account) external view returns (bool) {
        return isWhitelisted[account]
            || (sanctionOf[account] == 0 && lockupOf[account] >= MIN_LOCKUP_PER_SOURCE);
    }

    function _settle(address task, address client, address provider, uint256 amount) private {
        Escrow memory escrow = _escrowOf[task];
        require(amount <= escrow.amount, "InsufficientBalance");
        delete _escrowOf[task];
        frozenPayment[escrow.payer] -= escrow.amount;
        if (amount > 0) {
            balanceOf[provider] += amount;
            totalEarningsOf[provider] += amount;
        }
        balanceOf[client] += escrow.amount - amount;
    }

    function _debitBalance(address account, uint256 amount) internal {
        require(balanceOf[account] >= amount, "InsufficientBalance");
        balanceOf[account] -= amount;
    }

    function _debitLockup(address account, uint256 amount) internal {
        require(lockupOf[account] >= amount, "InsufficientLockup");
        lockupOf[account] -= amount;
    }

    function _clearUnbonding(address account) internal {
        delete unbondingOf[account];
        delete unbondingTimestamp[account];
    }

    function _hasRole(bytes32 role) internal view returns (bool) {
        return IAccessControl(manager).hasRole(role, msg.sender);
    }

    function _isProtocol() private view returns (bool) {
        return msg.sender == nexus || _hasRole(CONTROLLER_ROLE);
    }

    /// @dev Sends native coin; a failing recipient's revert data is passed on unchanged.
    function _send(address to, uint256 amount) internal {
        (bool ok, bytes memory reason) = to.call{value: amount}("");
        if (!ok) {
            assembly {
                revert(add(reason, 32), mload(reason))
            }
        }
    }
}
