import LaborModel

/// One bus of a departure: township → destination (点对点 point-to-point), as the centre ran them.
public struct Bus: Sendable, Equatable {
    public var departure: CivilDate
    public var township: Int
    public var destination: Int
    /// 1, 2, … within its (departure, township, destination).
    public var number: Int
    public var riders: Int
    public var ridersPoor: Int
    public var seats: Int
}

public enum Buses {
    /// Point-to-point buses for the placed workers: riders are grouped by (township, destination); each group
    /// fills buses to `seats` before opening another, takes the earliest departures first, and no departure uses
    /// more than `maxBusesPerDeparture` buses. Groups claim the fleet in order: the most poor-household riders
    /// first, then the largest, then by name. Riders who fit on no departure are returned as unscheduled (未排车).
    /// Within a group, poor-household riders board first.
    public static func schedule(_ report: PlacementReport, transport: ScenarioFile.Transport) -> (buses: [Bus], unscheduled: Int) {
        var groups: [Key: (riders: Int, poor: Int)] = [:]
        for (i, w) in report.workers.enumerated() where report.outcome.assignment.postOf[i] >= 0 {
            let d = report.posts[Int(report.outcome.assignment.postOf[i])].location
            groups[Key(township: w.township, destination: d), default: (0, 0)].riders += 1
            if w.poorHousehold { groups[Key(township: w.township, destination: d), default: (0, 0)].poor += 1 }
        }
        let t = report.rules.taxonomy
        let order = groups.keys.sorted { a, b in
            let x = groups[a]!, y = groups[b]!
            if x.poor != y.poor { return x.poor > y.poor }
            if x.riders != y.riders { return x.riders > y.riders }
            return (t.townships[a.township].name, t.destinations[a.destination].name) < (t.townships[b.township].name, t.destinations[b.destination].name)
        }
        var used = [Int](repeating: 0, count: transport.departures.count)
        var buses: [Bus] = []
        var unscheduled = 0
        let seats = transport.seats
        for key in order {
            var (left, poorLeft) = groups[key]!
            for (di, day) in transport.departures.enumerated() where left > 0 {
                var number = 0
                while left > 0 {
                    if let cap = transport.maxBusesPerDeparture, used[di] >= cap { break }
                    let riders = min(seats, left)
                    let poor = min(riders, poorLeft)
                    number += 1
                    used[di] += 1
                    buses.append(Bus(departure: day, township: key.township, destination: key.destination, number: number,
                                     riders: riders, ridersPoor: poor, seats: seats))
                    left -= riders
                    poorLeft -= poor
                }
            }
            unscheduled += left
        }
        buses.sort { ($0.departure, t.townships[$0.township].name, t.destinations[$0.destination].name, $0.number)
            < ($1.departure, t.townships[$1.township].name, t.destinations[$1.destination].name, $1.number) }
        return (buses, unscheduled)
    }

    struct Key: Hashable {
        var township: Int
        var destination: Int
    }
}
