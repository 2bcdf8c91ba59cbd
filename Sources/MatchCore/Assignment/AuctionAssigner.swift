/// Exact maximum-weight b-matching by the ε-scaling forward/reverse auction.
///
/// D. P. Bertsekas, D. A. Castañon, "A forward/reverse auction algorithm for asymmetric assignment problems",
/// Computational Optimization and Applications 1 (1992) 277–297; D. P. Bertsekas, "The auction algorithm for
/// assignment and other network flow problems: a tutorial", Interfaces 20 (1990) 133–149.
///
/// Names follow the papers: persons are workers, objects are the *slots* of the posts (a post with c openings
/// is c objects with their own prices), `price` is p_j, `profit` is π_i, and a worker's private "stay
/// unplaced" object has value 0 and price 0, so nobody is forced.
///
/// - Weights are multiplied by (n + 1) (n = workers), so the last phase at ε = 1 is exact: an ε-optimal
///   assignment is within n·ε < n + 1 of the optimum, i.e. below one unit of the original weights.
/// - Forward step (an unplaced worker bids): best value v1 = max over posts of (a − cheapest slot's price) and the
///   second best v2 (which counts the same post's second-cheapest slot and the "stay unplaced" value 0); the
///   worker takes the cheapest slot at price a − v2 + ε, evicting its owner.
/// - Reverse step (a slot with a positive price and no owner bids): needed because openings may exceed
///   workers and nobody is forced; without it, ε-scaling leaves priced empty slots and loses exactness. The slot
///   takes the worker with the best a − π at price max(0, second best − ε), or drops its price to 0.
/// - ε starts at C/64 and shrinks 8× a phase; each phase starts with everyone unplaced and the prices kept.
///
/// The result is checked by `DualCertificate` (exact integer duals and complementary slackness), not trusted.
/// Sequential by design (the scoring stage uses the cores).
public enum AuctionAssigner {
    public static func solve(_ p: AssignmentProblem) -> Assignment {
        var state = AuctionState(p)
        state.run()
        return state.result()
    }
}

struct AuctionState {
    let p: AssignmentProblem
    let n: Int, m: Int
    let weight: [Int64]          // by worker, scaled by n + 1
    let postWeight: [Int64]      // by post, scaled by n + 1
    // Slots.
    let slotStart: [Int]
    var price: [Int64]
    var owner: [Int32]
    // Per post: its cheapest slot, that price and the second-cheapest price.
    var cheapest: [Int32]
    var minPrice: [Int64]
    var secondPrice: [Int64]
    // Per worker: its slot (−1 = unplaced) and profit.
    var slotOf: [Int32]
    var profit: [Int64]

    static let infinity = Int64.max / 4

    init(_ p: AssignmentProblem) {
        self.p = p
        n = p.workers
        m = p.posts
        weight = p.workerWeight.map { $0 * Int64(p.workers + 1) }
        postWeight = p.postWeight.map { $0 * Int64(p.workers + 1) }
        // A post never holds more workers than it has edges: slots beyond that are never bid for, so they are not
        // made (this also bounds the O(slots) scan of `refresh` for posts with huge capacities).
        var ss = [Int](repeating: 0, count: m + 1)
        for j in 0..<m { ss[j + 1] = ss[j] + min(Int(p.capacity[j]), p.postStart[j + 1] - p.postStart[j]) }
        slotStart = ss
        price = [Int64](repeating: 0, count: ss[m])
        owner = [Int32](repeating: -1, count: ss[m])
        cheapest = (0..<m).map { Int32(ss[$0]) }
        // A post with no slot is never worth bidding for.
        minPrice = (0..<m).map { ss[$0 + 1] - ss[$0] >= 1 ? 0 : AuctionState.infinity }
        secondPrice = (0..<m).map { ss[$0 + 1] - ss[$0] >= 2 ? 0 : AuctionState.infinity }
        slotOf = [Int32](repeating: -1, count: n)
        profit = [Int64](repeating: 0, count: n)
    }

    /// Recomputes post j's cheapest slot and the two lowest prices. O(capacity).
    @inline(__always)
    mutating func refresh(post j: Int) {
        var lo = AuctionState.infinity, second = AuctionState.infinity, at = -1
        for s in slotStart[j]..<slotStart[j + 1] {
            let v = price[s]
            if v < lo { second = lo; lo = v; at = s } else if v < second { second = v }
        }
        if at >= 0 { cheapest[j] = Int32(at) }
        minPrice[j] = lo
        secondPrice[j] = second
    }

    mutating func run() {
        var cmax: Int64 = 0
        for w in weight where w > cmax { cmax = w }
        guard cmax > 0, n > 0, slotStart[m] > 0 else { return }
        var eps = max(1, cmax / 64)
        var queue = RingQueue(capacity: max(n, slotStart[m]) + 1)
        var inQueue = [Bool](repeating: false, count: max(n, slotStart[m]))
        while true {
            // Phase start: everyone unplaced, prices kept.
            for s in 0..<owner.count { owner[s] = -1 }
            for i in 0..<n { slotOf[i] = -1; profit[i] = 0 }
            forward(eps: eps, queue: &queue)
            reverse(eps: eps, queue: &queue, inQueue: &inQueue)
            if eps == 1 { break }
            eps = max(1, eps / 8)
        }
    }

    /// Forward auction: every unplaced worker bids until all are placed or choose to stay unplaced.
    mutating func forward(eps: Int64, queue: inout RingQueue) {
        queue.clear()
        for i in 0..<n where p.workerStart[i + 1] > p.workerStart[i] { queue.push(Int32(i)) }
        while let wi = queue.pop() {
            let i = Int(wi)
            var v1: Int64 = 0, v2 = -AuctionState.infinity, best = -1
            for e in p.workerStart[i]..<p.workerStart[i + 1] {
                let j = Int(p.workerPost[e])
                let a = weight[e]
                let v = a - minPrice[j]
                if v > v1 {
                    let again = a - secondPrice[j]
                    v2 = max(v1, again)
                    v1 = v
                    best = j
                } else if v > v2 {
                    v2 = v
                }
            }
            guard best >= 0 else {
                // Staying unplaced is best: profit 0.
                slotOf[i] = -1
                profit[i] = 0
                continue
            }
            let s = Int(cheapest[best])
            let a = v1 + minPrice[best]
            let previous = owner[s]
            price[s] = a - v2 + eps
            owner[s] = Int32(i)
            slotOf[i] = Int32(s)
            profit[i] = v2 - eps
            refresh(post: best)
            if previous >= 0 {
                slotOf[Int(previous)] = -1
                profit[Int(previous)] = 0
                queue.push(previous)
            }
        }
    }

    /// Reverse auction: slots with a positive price and no owner bid for workers or drop their price to 0.
    mutating func reverse(eps: Int64, queue: inout RingQueue, inQueue: inout [Bool]) {
        queue.clear()
        for s in 0..<owner.count where owner[s] < 0 && price[s] > 0 {
            queue.push(Int32(s))
            inQueue[s] = true
        }
        // The post of each slot.
        while let ws = queue.pop() {
            let s = Int(ws)
            inQueue[s] = false
            guard owner[s] < 0 && price[s] > 0 else { continue }
            let j = postOfSlot(s)
            var b1 = -AuctionState.infinity, b2 = -AuctionState.infinity, best = -1
            for e in p.postStart[j]..<p.postStart[j + 1] {
                let i = Int(p.postWorker[e])
                let beta = postWeight[e] - profit[i]
                if beta > b1 { b2 = b1; b1 = beta; best = i } else if beta > b2 { b2 = beta }
            }
            if best < 0 || b1 - eps <= 0 {
                price[s] = 0
                refresh(post: j)
                continue
            }
            let newPrice = max(0, b2 - eps)
            let i = best
            let a = b1 + profit[i]
            let old = Int(slotOf[i])
            price[s] = newPrice
            owner[s] = Int32(i)
            slotOf[i] = Int32(s)
            profit[i] = a - newPrice
            refresh(post: j)
            if old >= 0 {
                owner[old] = -1
                if price[old] > 0 && !inQueue[old] {
                    queue.push(Int32(old))
                    inQueue[old] = true
                }
            }
        }
    }

    func postOfSlot(_ s: Int) -> Int {
        // Binary search in slotStart.
        var lo = 0, hi = m
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if slotStart[mid] <= s { lo = mid } else { hi = mid }
        }
        while slotStart[lo + 1] <= s { lo += 1 }
        return lo
    }

    func result() -> Assignment {
        var postOf = [Int32](repeating: -1, count: n)
        var objective: Int64 = 0
        for i in 0..<n where slotOf[i] >= 0 {
            let j = postOfSlot(Int(slotOf[i]))
            postOf[i] = Int32(j)
            objective += p.weight(worker: i, post: j)!
        }
        return Assignment(postOf: postOf, objective: objective)
    }
}

/// A FIFO queue of indices over a fixed ring buffer.
struct RingQueue {
    var buffer: [Int32]
    var head = 0, count = 0

    init(capacity: Int) { buffer = [Int32](repeating: 0, count: max(1, capacity)) }

    mutating func clear() { head = 0; count = 0 }

    mutating func push(_ x: Int32) {
        precondition(count < buffer.count, "queue overflow")
        buffer[(head + count) % buffer.count] = x
        count += 1
    }

    mutating func pop() -> Int32? {
        guard count > 0 else { return nil }
        let x = buffer[head]
        head = (head + 1) % buffer.count
        count -= 1
        return x
    }
}
