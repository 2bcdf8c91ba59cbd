import Foundation

/// The report's charts: plain SVG written here (no chart library is on the package list, and the page must open
/// with no script and no network). Horizontal bars, grouped bars and a line; text is escaped; every chart has a
/// title and carries its numbers as labels, so it reads on paper too.
public enum SVGChart {
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.2f", v)
    }

    /// One horizontal bar per label; `series` of two or more values per label draws grouped bars with a legend.
    public static func bars(title: String, labels: [String], series: [(name: String, values: [Double])], unit: String = "") -> String {
        let rowH = 18 * max(1, series.count) + 8, labelW = 150, barW = 420, h = 40 + labels.count * rowH + 20
        let top = max(1, series.flatMap(\.values).max() ?? 1)
        let colors = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#c53030"]
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(labelW + barW + 110)\" height=\"\(h)\" viewBox=\"0 0 \(labelW + barW + 110) \(h)\">"
        svg += "<title>\(esc(title))</title><text x=\"0\" y=\"16\" class=\"ct\">\(esc(title))</text>"
        if series.count > 1 {
            for (k, s) in series.enumerated() {
                svg += "<rect x=\"\(labelW + k * 120)\" y=\"24\" width=\"10\" height=\"10\" fill=\"\(colors[k % colors.count])\"/>"
                svg += "<text x=\"\(labelW + k * 120 + 14)\" y=\"33\" class=\"cl\">\(esc(s.name))</text>"
            }
        }
        for (i, label) in labels.enumerated() {
            let y = 40 + i * rowH
            svg += "<text x=\"\(labelW - 6)\" y=\"\(y + rowH / 2 + 2)\" text-anchor=\"end\" class=\"cl\">\(esc(label))</text>"
            for (k, s) in series.enumerated() {
                let v = i < s.values.count ? s.values[i] : 0
                let w = Int((max(0, v) / top * Double(barW)).rounded())
                let by = y + 4 + k * 18
                svg += "<rect x=\"\(labelW)\" y=\"\(by)\" width=\"\(w)\" height=\"14\" fill=\"\(colors[k % colors.count])\">"
                    + "<title>\(esc(label)) \(esc(s.name)): \(number(v))\(esc(unit))</title></rect>"
                svg += "<text x=\"\(labelW + w + 4)\" y=\"\(by + 11)\" class=\"cv\">\(number(v))\(esc(unit))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A line through (x, y) points with labelled axes.
    public static func line(title: String, xLabel: String, yLabel: String, points: [(x: Double, y: Double)]) -> String {
        let w = 560, h = 260, left = 70, bottom = 40, plotW = w - left - 20, plotH = h - bottom - 40
        guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max(), let minY0 = points.map(\.y).min(),
              let maxY0 = points.map(\.y).max() else { return "" }
        let minY = minY0 == maxY0 ? minY0 - 1 : minY0, maxY = minY0 == maxY0 ? maxY0 + 1 : maxY0
        func px(_ x: Double) -> Int { left + Int(((x - minX) / max(maxX - minX, 1e-9)) * Double(plotW)) }
        func py(_ y: Double) -> Int { 30 + plotH - Int(((y - minY) / (maxY - minY)) * Double(plotH)) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">"
        svg += "<title>\(esc(title))</title><text x=\"0\" y=\"16\" class=\"ct\">\(esc(title))</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(30 + plotH)\" x2=\"\(left + plotW)\" y2=\"\(30 + plotH)\" stroke=\"#444\"/>"
        svg += "<line x1=\"\(left)\" y1=\"30\" x2=\"\(left)\" y2=\"\(30 + plotH)\" stroke=\"#444\"/>"
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(h - 6)\" text-anchor=\"middle\" class=\"cl\">\(esc(xLabel))</text>"
        svg += "<text x=\"4\" y=\"\(30 + plotH / 2)\" class=\"cl\">\(esc(yLabel))</text>"
        let path = points.sorted { $0.x < $1.x }.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"2\" points=\"\(path)\"/>"
        for p in points {
            svg += "<circle cx=\"\(px(p.x))\" cy=\"\(py(p.y))\" r=\"3\" fill=\"#2b6cb0\"><title>\(number(p.x)): \(number(p.y))</title></circle>"
            svg += "<text x=\"\(px(p.x))\" y=\"\(py(p.y) - 6)\" text-anchor=\"middle\" class=\"cv\">\(number(p.y))</text>"
            svg += "<text x=\"\(px(p.x))\" y=\"\(30 + plotH + 14)\" text-anchor=\"middle\" class=\"cv\">\(number(p.x))</text>"
        }
        return svg + "</svg>"
    }
}
