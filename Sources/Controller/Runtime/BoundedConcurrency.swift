/// Runs `body` for every item, at most `limit` at once (at least one), and returns the results in
/// the items' order. For the controller's per-target work outside the scheduled round: `--once`
/// and the start-up backfill.
func boundedConcurrentMap<Item: Sendable, Output: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> Output
) async -> [Output] {
    await withTaskGroup(of: (Int, Output).self) { group in
        var results = [Output?](repeating: nil, count: items.count)
        var running = 0
        for (index, item) in items.enumerated() {
            if running >= max(1, limit), let (done, output) = await group.next() {
                results[done] = output
                running -= 1
            }
            group.addTask { (index, await body(item)) }
            running += 1
        }
        for await (done, output) in group { results[done] = output }
        return results.map { $0! }
    }
}
