/// A fixed-capacity FIFO of `Double`s: appending to a full buffer drops the oldest value.
///
/// Storage for `capacity` values is reserved at the first append and never reallocated,
/// so the memory held is exactly `capacity * 8` bytes (plus a small header) once used,
/// none before. Index 0 is the oldest retained value. `append` is O(1).
public struct RingBuffer: Sendable, Equatable {
    public let capacity: Int
    private var storage: [Double] = []
    private var head = 0  // index in `storage` of the oldest value once full

    public init(capacity: Int) {
        precondition(capacity > 0, "RingBuffer capacity must be positive")
        self.capacity = capacity
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var isFull: Bool { storage.count == capacity }

    public mutating func append(_ value: Double) {
        if storage.count < capacity {
            if storage.isEmpty { storage.reserveCapacity(capacity) }
            storage.append(value)
        } else {
            storage[head] = value
            head = head + 1 == capacity ? 0 : head + 1
        }
    }

    /// The `i`-th oldest retained value, `0 ..< count`.
    public subscript(i: Int) -> Double {
        precondition(i >= 0 && i < storage.count, "RingBuffer index out of range")
        let j = head + i
        return storage[j >= capacity ? j - capacity : j]
    }

    /// The newest value, or nil when empty.
    public var last: Double? { isEmpty ? nil : self[count - 1] }

    /// The `i`-th newest value (0 = newest), or nil when not retained.
    public func fromEnd(_ i: Int) -> Double? {
        i >= 0 && i < count ? self[count - 1 - i] : nil
    }

    /// All retained values, oldest first.
    public var values: [Double] { suffix(count) }

    /// The newest `n` values (fewer when fewer are retained), oldest first.
    public func suffix(_ n: Int) -> [Double] {
        let k = max(0, min(n, count))
        var out = [Double]()
        out.reserveCapacity(k)
        for i in (count - k) ..< count { out.append(self[i]) }
        return out
    }

    /// Appends every retained value to `array` in storage order (not oldest first): for uses
    /// that do not care about order, without indexing value by value.
    public func appendUnordered(to array: inout [Double]) {
        array += storage
    }

    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }
}
