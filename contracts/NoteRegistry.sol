// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/**
 * @title NoteRegistry: the on-chain mirror of who holds which compute note.
 *
 * One registry for every note, one token id per note (ERC-1155-style ids and `balanceOf`, in the
 * spirit of ERC-3643), permissioned like a transfer agent's register. The venue's Postgres ledger
 * is the book of record; this contract records what the venue settled. A registry worker
 * publishes each settlement outbox row here, retrying until it lands, so every balance change
 * carries the outbox row's unique `settlementRef` and a reference is accepted at most once.
 *
 * Note ids are `uint256`. The service maps its note UUID to an id as
 * `uint256(keccak256(utf8(lowercase canonical UUID string)))` (see `noteIdFromUuid` in
 * registry-client.ts); the contract takes any `uint256` and needs no note to be "created" first.
 * Amounts are integers in the unit the venue publishes (face in whole currency units); the
 * contract never prices, converts or rounds.
 *
 * Roles (one role per function, so the matrix is simple to audit):
 * - owner (`DEFAULT_ADMIN_ROLE`, exactly one account, handed over in two steps after a delay by
 *   OpenZeppelin's AccessControlDefaultAdminRules; ideally a multisig): grants and revokes the
 *   other roles and unpauses.
 * - registrar (`REGISTRAR_ROLE`, the ERC-3643 agent; the settlement worker's key): mints at
 *   issuance, burns on principal paydown, records settled transfers. It can only move notes
 *   between eligible, unfrozen addresses, and cannot make an address eligible: a leaked
 *   registrar key cannot send notes anywhere the back office has not approved.
 * - back office (`BACK_OFFICE_ROLE`, trustee / compliance): maintains the allow-list and
 *   freezes, pauses, and repairs the register (forced transfer, recovery of a lost address),
 *   each repair with a reason code. Stopping is cheap (back office); resuming is the owner's call.
 *
 * Guarantees:
 * 1. For every note, the sum of all holders' balances equals `totalSupply(noteId)`: every change
 *    either moves an amount between two holders or changes a balance and the supply together.
 * 2. Every balance change uses a non-zero `settlementRef` never used before (by any kind of
 *    change) and emits, for each note it changes, one `Minted`, `Burned`, `TransferRecorded` or
 *    `ForcedTransfer` carrying it, so the events since deployment replay to the current balances.
 * 3. Notes only ever arrive at allow-listed addresses. Removing an address from the allow-list
 *    stops it receiving; it can still be sold out of or paid down.
 * 4. A frozen address neither sends nor receives through the registrar (no mint, burn or
 *    recorded transfer); only the back office's forced transfer and recovery move its notes.
 * 5. While paused, nothing changes except role administration (so the owner can revoke a
 *    compromised key during an incident) and `unpause`.
 *
 * It must never:
 * - let a holder move, approve or delegate notes: there is no transfer, approve, transferFrom or
 *   operator; holders cannot call any state-changing function;
 * - call another contract: there are no ERC-1155 receiver callbacks, because a holder's contract
 *   could refuse (block settlement) or re-enter; with no external calls there is no reentrancy;
 * - hold ether (nothing is payable) or be upgraded in place (a new version is a new deployment);
 * - store anything about a holder but its address and two flags (identity lives off chain).
 *
 * Error precedence, first match wins: caller lacks the role (`AccessControlUnauthorizedAccount`),
 * paused (`EnforcedPause`), batch size (or a recovery's note count); then per change in order: `ZeroReference`,
 * `ReferenceAlreadyUsed` (so a retried change always reports that it already landed, whatever
 * happened since), `ZeroReasonCode`, `ZeroAddress`, `SameAddress`, `ZeroAmount`,
 * `FrozenAddress(from)`, `FrozenAddress(to)`, `NotAllowListed(to)`, `InsufficientBalance`
 * (a recovery ends with `NothingToRecover` when none of its notes has a balance to move).
 * A batch is all or nothing: one failing item reverts the whole transaction.
 */
contract NoteRegistry is AccessControlDefaultAdminRules, Pausable {
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 public constant BACK_OFFICE_ROLE = keccak256("BACK_OFFICE_ROLE");

    /// Most items in one batch call (and note ids in one recovery), to keep every call well
    /// inside a block's gas limit.
    uint256 public constant MAX_BATCH_SIZE = 100;

    struct TransferInstruction {
        uint256 noteId;
        address from;
        address to;
        uint256 amount;
        bytes32 settlementRef;
    }

    /// One mint or burn: `holder` receives (mint) or gives up (burn) `amount` of `noteId`.
    struct SupplyInstruction {
        uint256 noteId;
        address holder;
        uint256 amount;
        bytes32 settlementRef;
    }

    mapping(uint256 noteId => mapping(address holder => uint256 amount)) private _balances;
    mapping(uint256 noteId => uint256 amount) private _totalSupply;
    mapping(address holder => bool) private _allowListed;
    mapping(address holder => bool) private _frozen;
    /// The block in which each reference was used; 0 = never used. Lets a worker that lost track
    /// of a transaction find its event again.
    mapping(bytes32 settlementRef => uint256 blockNumber) private _referenceBlock;

    event Minted(uint256 indexed noteId, address indexed to, uint256 amount, bytes32 settlementRef);
    event Burned(uint256 indexed noteId, address indexed from, uint256 amount, bytes32 settlementRef);
    event TransferRecorded(
        uint256 indexed noteId, address indexed from, address indexed to, uint256 amount, bytes32 settlementRef
    );
    /// A back-office move that overrides freezes (never eligibility); also one per note moved by a recovery.
    event ForcedTransfer(
        uint256 indexed noteId,
        address indexed from,
        address indexed to,
        uint256 amount,
        bytes32 settlementRef,
        bytes32 reasonCode
    );
    event AddressRecovered(address indexed lost, address indexed replacement, bytes32 settlementRef, bytes32 reasonCode);
    /// Emitted only when the flag changes, so the log is a list of state transitions.
    event AllowListUpdated(address indexed holder, bool allowed);
    /// Emitted only when the flag changes.
    event AddressFrozen(address indexed holder, bool frozen);

    error ZeroReference();
    error ReferenceAlreadyUsed(bytes32 settlementRef);
    error ZeroReasonCode();
    error ZeroAddress();
    error SameAddress(address holder);
    error ZeroAmount();
    error FrozenAddress(address holder);
    error NotAllowListed(address holder);
    error InsufficientBalance(uint256 noteId, address holder, uint256 balance, uint256 amount);
    error BatchSizeOutOfRange(uint256 size, uint256 maxSize);
    error LengthMismatch(uint256 holders, uint256 noteIds);
    error NothingToRecover(address lost);

    constructor(address initialOwner, address registrar, address backOffice, uint48 adminTransferDelaySeconds)
        AccessControlDefaultAdminRules(adminTransferDelaySeconds, initialOwner)
    {
        if (registrar == address(0) || backOffice == address(0)) revert ZeroAddress();
        _grantRole(REGISTRAR_ROLE, registrar);
        _grantRole(BACK_OFFICE_ROLE, backOffice);
    }

    // ---------------------------------------------------------------- registrar: settlement

    /// Issuance: creates `amount` of `noteId` in `to`'s balance.
    function mint(uint256 noteId, address to, uint256 amount, bytes32 settlementRef)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        _mint(noteId, to, amount, settlementRef);
    }

    /// Principal paydown (or redemption): removes `amount` of `noteId` from `from`'s balance.
    function burn(uint256 noteId, address from, uint256 amount, bytes32 settlementRef)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        _burn(noteId, from, amount, settlementRef);
    }

    /// Records a transfer the venue has settled (the delivery leg of a DVP).
    function recordTransfer(uint256 noteId, address from, address to, uint256 amount, bytes32 settlementRef)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        _recordTransfer(noteId, from, to, amount, settlementRef);
    }

    function mintBatch(SupplyInstruction[] calldata instructions) external onlyRole(REGISTRAR_ROLE) whenNotPaused {
        _requireBatchSize(instructions.length);
        for (uint256 i = 0; i < instructions.length; ++i) {
            SupplyInstruction calldata item = instructions[i];
            _mint(item.noteId, item.holder, item.amount, item.settlementRef);
        }
    }

    function burnBatch(SupplyInstruction[] calldata instructions) external onlyRole(REGISTRAR_ROLE) whenNotPaused {
        _requireBatchSize(instructions.length);
        for (uint256 i = 0; i < instructions.length; ++i) {
            SupplyInstruction calldata item = instructions[i];
            _burn(item.noteId, item.holder, item.amount, item.settlementRef);
        }
    }

    function recordTransfers(TransferInstruction[] calldata instructions)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        _requireBatchSize(instructions.length);
        for (uint256 i = 0; i < instructions.length; ++i) {
            TransferInstruction calldata item = instructions[i];
            _recordTransfer(item.noteId, item.from, item.to, item.amount, item.settlementRef);
        }
    }

    // ---------------------------------------------------------------- back office

    /// Moves notes regardless of freezes (e.g. a reconciliation repair or a court order). The
    /// receiver must still be allow-listed.
    function forcedTransfer(
        uint256 noteId,
        address from,
        address to,
        uint256 amount,
        bytes32 settlementRef,
        bytes32 reasonCode
    ) external onlyRole(BACK_OFFICE_ROLE) whenNotPaused {
        _useReference(settlementRef);
        if (reasonCode == bytes32(0)) revert ZeroReasonCode();
        _requireTwoParties(from, to);
        if (amount == 0) revert ZeroAmount();
        if (!_allowListed[to]) revert NotAllowListed(to);
        _move(noteId, from, to, amount);
        emit ForcedTransfer(noteId, from, to, amount, settlementRef, reasonCode);
    }

    /**
     * A holder lost its key: moves the whole balance of each listed note from `lost` to
     * `replacement` (one `ForcedTransfer` per note moved), carries a freeze over to the
     * replacement so recovery cannot lift it, and removes `lost` from the allow-list so it can
     * never receive again. Note ids are listed because the registry does not enumerate a
     * holder's notes; notes left out stay with `lost` and can be recovered by another call.
     */
    function recoverAddress(
        address lost,
        address replacement,
        uint256[] calldata noteIds,
        bytes32 settlementRef,
        bytes32 reasonCode
    ) external onlyRole(BACK_OFFICE_ROLE) whenNotPaused {
        _requireBatchSize(noteIds.length);
        _useReference(settlementRef);
        if (reasonCode == bytes32(0)) revert ZeroReasonCode();
        _requireTwoParties(lost, replacement);
        if (!_allowListed[replacement]) revert NotAllowListed(replacement);
        bool moved = false;
        for (uint256 i = 0; i < noteIds.length; ++i) {
            uint256 noteId = noteIds[i];
            uint256 balance = _balances[noteId][lost];
            if (balance == 0) continue;
            _move(noteId, lost, replacement, balance);
            emit ForcedTransfer(noteId, lost, replacement, balance, settlementRef, reasonCode);
            moved = true;
        }
        if (!moved) revert NothingToRecover(lost);
        if (_frozen[lost]) _setFrozen(replacement, true);
        _setAllowListed(lost, false);
        emit AddressRecovered(lost, replacement, settlementRef, reasonCode);
    }

    /// Idempotent: setting the current value succeeds and emits nothing.
    function setAllowListed(address holder, bool allowed) external onlyRole(BACK_OFFICE_ROLE) whenNotPaused {
        if (holder == address(0)) revert ZeroAddress();
        _setAllowListed(holder, allowed);
    }

    /// Idempotent: setting the current value succeeds and emits nothing.
    function setAddressFrozen(address holder, bool frozen) external onlyRole(BACK_OFFICE_ROLE) whenNotPaused {
        if (holder == address(0)) revert ZeroAddress();
        _setFrozen(holder, frozen);
    }

    function pause() external onlyRole(BACK_OFFICE_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    function balanceOf(address holder, uint256 noteId) external view returns (uint256) {
        return _balances[noteId][holder];
    }

    /// `holders[i]`'s balance of `noteIds[i]`, for reconciliation in one call.
    function balanceOfBatch(address[] calldata holders, uint256[] calldata noteIds)
        external
        view
        returns (uint256[] memory balances)
    {
        if (holders.length != noteIds.length) revert LengthMismatch(holders.length, noteIds.length);
        balances = new uint256[](holders.length);
        for (uint256 i = 0; i < holders.length; ++i) {
            balances[i] = _balances[noteIds[i]][holders[i]];
        }
    }

    function totalSupply(uint256 noteId) external view returns (uint256) {
        return _totalSupply[noteId];
    }

    function isAllowListed(address holder) external view returns (bool) {
        return _allowListed[holder];
    }

    function isFrozen(address holder) external view returns (bool) {
        return _frozen[holder];
    }

    function isReferenceUsed(bytes32 settlementRef) external view returns (bool) {
        return _referenceBlock[settlementRef] != 0;
    }

    /// The block in which `settlementRef` was used, or 0 if it never was.
    function referenceBlock(bytes32 settlementRef) external view returns (uint256) {
        return _referenceBlock[settlementRef];
    }

    // ---------------------------------------------------------------- internals

    function _mint(uint256 noteId, address to, uint256 amount, bytes32 settlementRef) private {
        _useReference(settlementRef);
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        if (_frozen[to]) revert FrozenAddress(to);
        if (!_allowListed[to]) revert NotAllowListed(to);
        _totalSupply[noteId] += amount; // checked: reverts (panic 0x11) rather than wrap
        unchecked {
            _balances[noteId][to] += amount; // a balance never exceeds its note's supply
        }
        emit Minted(noteId, to, amount, settlementRef);
    }

    function _burn(uint256 noteId, address from, uint256 amount, bytes32 settlementRef) private {
        _useReference(settlementRef);
        if (from == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        if (_frozen[from]) revert FrozenAddress(from);
        uint256 balance = _balances[noteId][from];
        if (balance < amount) revert InsufficientBalance(noteId, from, balance, amount);
        unchecked {
            _balances[noteId][from] = balance - amount;
            _totalSupply[noteId] -= amount; // supply >= balance >= amount
        }
        emit Burned(noteId, from, amount, settlementRef);
    }

    function _recordTransfer(uint256 noteId, address from, address to, uint256 amount, bytes32 settlementRef)
        private
    {
        _useReference(settlementRef);
        _requireTwoParties(from, to);
        if (amount == 0) revert ZeroAmount();
        if (_frozen[from]) revert FrozenAddress(from);
        if (_frozen[to]) revert FrozenAddress(to);
        if (!_allowListed[to]) revert NotAllowListed(to);
        _move(noteId, from, to, amount);
        emit TransferRecorded(noteId, from, to, amount, settlementRef);
    }

    /// Moves `amount` between two holders; the supply is unchanged.
    function _move(uint256 noteId, address from, address to, uint256 amount) private {
        uint256 balance = _balances[noteId][from];
        if (balance < amount) revert InsufficientBalance(noteId, from, balance, amount);
        unchecked {
            _balances[noteId][from] = balance - amount;
            _balances[noteId][to] += amount; // the sum of balances is the supply, so this cannot overflow
        }
    }

    /// Marks the reference used. Any later revert in the same call undoes this too, so a failed
    /// change never consumes its reference.
    function _useReference(bytes32 settlementRef) private {
        if (settlementRef == bytes32(0)) revert ZeroReference();
        if (_referenceBlock[settlementRef] != 0) revert ReferenceAlreadyUsed(settlementRef);
        _referenceBlock[settlementRef] = block.number;
    }

    function _requireTwoParties(address from, address to) private pure {
        if (from == address(0) || to == address(0)) revert ZeroAddress();
        if (from == to) revert SameAddress(from);
    }

    function _requireBatchSize(uint256 size) private pure {
        if (size == 0 || size > MAX_BATCH_SIZE) revert BatchSizeOutOfRange(size, MAX_BATCH_SIZE);
    }

    function _setAllowListed(address holder, bool allowed) private {
        if (_allowListed[holder] == allowed) return;
        _allowListed[holder] = allowed;
        emit AllowListUpdated(holder, allowed);
    }

    function _setFrozen(address holder, bool frozen) private {
        if (_frozen[holder] == frozen) return;
        _frozen[holder] = frozen;
        emit AddressFrozen(holder, frozen);
    }
}
