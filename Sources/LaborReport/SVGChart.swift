import Foundation

/// The report's charts: plain SVG written here (no chart library is on the package list, and the page must open
/// with no script and no network). Horizontal bars, grouped bars, stacked bars, a histogram and a line; text is
/// escaped; every chart has a title, every mark its own `<title>` (shown on hover), and the numbers are written as
/// labels only where they cannot overlap, so it reads on paper too.
public enum SVGChart {
    /// Fills far apart in lightness (luminance 51, 152, 195, 99, 80 of 255), so series stay apart when printed in
    /// grey; every mark also has a dark outline, so the lightest one shows on white paper.
    public static let palette = ["#1a365d", "#ed8936", "#90cdf4", "#2b6cb0", "#c53030"]
    static let outline = "stroke=\"#1a202c\" stroke-width=\"0.5\""

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The width a label takes at 12 px: CJK characters full, others about half.
    static func width(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + ($1.value > 0x2E80 ? 12 : 7) } }

    /// A row label cut to fit `limit` px, ending in "…" (the full text stays in the marks' titles and the table).
    static func fit(_ s: String, _ limit: Int) -> String {
        guard width(s) > limit else { return s }
        var out = ""
        for ch in s { if width(out + String(ch)) + 12 > limit { break }; out.append(ch) }
        return out + "…"
    }

    /// Legend entries laid out left to right by their text's width, so long names never overlap.
    static func legend(_ names: [String], x: Int, y: Int) -> String {
        var svg = "", at = x
        for (k, name) in names.enumerated() {
            svg += "<rect x=\"\(at)\" y=\"\(y)\" width=\"10\" height=\"10\" fill=\"\(palette[k % palette.count])\" \(outline)/>"
            svg += "<text x=\"\(at + 14)\" y=\"\(y + 9)\" class=\"cl\">\(esc(name))</text>"
            at += 14 + width(name) + 16
        }
        return svg
    }

    /// The opening of a chart with a plot area: the svg element, its title, the two axes and their labels.
    static func axes(title: String, w: Int, h: Int, left: Int, top: Int, plotW: Int, plotH: Int, xLabel: String,
                     yLabel: String, yLabelAt: Int) -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">"
        svg += "<title>\(esc(title))</title><text x=\"0\" y=\"16\" class=\"ct\">\(esc(title))</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(left + plotW)\" y2=\"\(top + plotH)\" stroke=\"#444\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotH)\" stroke=\"#444\"/>"
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(h - 7)\" text-anchor=\"middle\" class=\"cl\">\(esc(xLabel))</text>"
        return svg + "<text x=\"4\" y=\"\(yLabelAt)\" class=\"cl\">\(esc(yLabel))</text>"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.2f", v)
    }

    /// One horizontal bar per label; `series` of two or more values per label draws grouped bars with a legend.
    public static func bars(title: String, labels: [String], series: [(name: String, values: [Double])], unit: String = "") -> String {
        let rowH = 18 * max(1, series.count) + 8, labelW = 150, barW = 420, h = 40 + labels.count * rowH + 20
        let top = max(1, series.flatMap(\.values).max() ?? 1)
        let colors = palette
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(labelW + barW + 110)\" height=\"\(h)\" viewBox=\"0 0 \(labelW + barW + 110) \(h)\">"
        svg += "<title>\(esc(title))</title><text x=\"0\" y=\"16\" class=\"ct\">\(esc(title))</text>"
        if series.count > 1 { svg += legend(series.map(\.name), x: labelW, y: 24) }
        for (i, label) in labels.enumerated() {
            let y = 40 + i * rowH
            svg += "<text x=\"\(labelW - 6)\" y=\"\(y + rowH / 2 + 2)\" text-anchor=\"end\" class=\"cl\">\(esc(fit(label, labelW - 8)))</text>"
            for (k, s) in series.enumerated() {
                let v = i < s.values.count ? s.values[i] : 0
                let w = Int((max(0, v) / top * Double(barW)).rounded())
                let by = y + 4 + k * 18
                svg += "<rect x=\"\(labelW)\" y=\"\(by)\" width=\"\(w)\" height=\"14\" fill=\"\(colors[k % colors.count])\" \(outline)>"
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
        var svg = axes(title: title, w: w, h: h, left: left, top: 30, plotW: plotW, plotH: plotH, xLabel: xLabel,
                       yLabel: yLabel, yLabelAt: 30 + plotH / 2)
        let path = points.sorted { $0.x < $1.x }.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"2\" points=\"\(path)\"/>"
        var lastLabelled: Int?
        for p in points.sorted(by: { $0.x < $1.x }) {
            svg += "<circle cx=\"\(px(p.x))\" cy=\"\(py(p.y))\" r=\"3\" fill=\"#2b6cb0\"><title>\(number(p.x)): \(number(p.y))</title></circle>"
            // Labels only as far apart as they are wide (40 px at least): close points keep their numbers in the mark's title and the table.
            let room = max(40, max(width(number(p.x)), width(number(p.y))) + 8)
            if let last = lastLabelled, px(p.x) - last < room { continue }
            lastLabelled = px(p.x)
            svg += "<text x=\"\(px(p.x))\" y=\"\(py(p.y) - 6)\" text-anchor=\"middle\" class=\"cv\">\(number(p.y))</text>"
            svg += "<text x=\"\(px(p.x))\" y=\"\(30 + plotH + 14)\" text-anchor=\"middle\" class=\"cv\">\(number(p.x))</text>"
        }
        return svg + "</svg>"
    }

    /// One horizontal bar per label made of `parts` stacked left to right (e.g. poor households placed, others
    /// placed, not placed), a legend, and the row's total at its end.
    public static func stacked(title: String, labels: [String], parts: [(name: String, values: [Double])], unit: String = "") -> String {
        let rowH = 22, labelW = 150, barW = 420, h = 44 + labels.count * rowH + 10
        let totals = labels.indices.map { i in parts.reduce(0.0) { $0 + max(0, i < $1.values.count ? $1.values[i] : 0) } }
        let top = max(1, totals.max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(labelW + barW + 110)\" height=\"\(h)\" viewBox=\"0 0 \(labelW + barW + 110) \(h)\">"
        svg += "<title>\(esc(title))</title><text x=\"0\" y=\"16\" class=\"ct\">\(esc(title))</text>"
        svg += legend(parts.map(\.name), x: labelW, y: 24)
        for (i, label) in labels.enumerated() {
            let y = 44 + i * rowH
            svg += "<text x=\"\(labelW - 6)\" y=\"\(y + 13)\" text-anchor=\"end\" class=\"cl\">\(esc(fit(label, labelW - 8)))</text>"
            var x = 0.0
            for (k, p) in parts.enumerated() {
                let v = max(0, i < p.values.count ? p.values[i] : 0)
                let x0 = Int((x / top * Double(barW)).rounded()), x1 = Int(((x + v) / top * Double(barW)).rounded())
                x += v
                guard x1 > x0 else { continue }
                svg += "<rect x=\"\(labelW + x0)\" y=\"\(y + 2)\" width=\"\(x1 - x0)\" height=\"16\" fill=\"\(palette[k % palette.count])\" \(outline)>"
                    + "<title>\(esc(label)) \(esc(p.name)): \(number(v))\(esc(unit))</title></rect>"
            }
            let end = Int((totals[i] / top * Double(barW)).rounded())
            svg += "<text x=\"\(labelW + end + 4)\" y=\"\(y + 14)\" class=\"cv\">\(number(totals[i]))\(esc(unit))</text>"
        }
        return svg + "</svg>"
    }

    /// A histogram of `values` in bins of `binWidth` from the lowest bin holding a value: vertical bars, the count
    /// over each bar wide enough to hold it, bin edges on the x axis at least 36 px apart.
    public static func histogram(title: String, values: [Double], binWidth: Double, xLabel: String, yLabel: String) -> String {
        guard let lo = values.min(), let hi = values.max(), binWidth > 0 else { return "" }
        let first = (lo / binWidth).rounded(.down), bins = Int((hi / binWidth).rounded(.down) - first) + 1
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[min(bins - 1, max(0, Int((v / binWidth).rounded(.down) - first)))] += 1 }
        let w = 560, h = 280, left = 60, plotW = w - left - 20, plotH = h - 90, top = 40
        let barW = Double(plotW) / Double(bins), peak = Double(max(1, counts.max() ?? 1))
        var svg = axes(title: title, w: w, h: h, left: left, top: top, plotW: plotW, plotH: plotH, xLabel: xLabel,
                       yLabel: yLabel, yLabelAt: top - 8)
        svg += "<text x=\"\(left - 4)\" y=\"\(top + 4)\" text-anchor=\"end\" class=\"cv\">\(Int(peak))</text>"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + plotH)\" text-anchor=\"end\" class=\"cv\">0</text>"
        let step = max(1, Int((36 / barW).rounded(.up)))
        for b in 0..<bins {
            let x0 = Double(left) + Double(b) * barW, bh = Int((Double(counts[b]) / peak * Double(plotH)).rounded())
            let from = (first + Double(b)) * binWidth
            if counts[b] > 0 {
                svg += "<rect x=\"\(Int(x0.rounded()))\" y=\"\(top + plotH - bh)\" width=\"\(max(1, Int(barW.rounded(.down)) - 1))\" height=\"\(bh)\" fill=\"\(palette[0])\" \(outline)>"
                    + "<title>\(number(from))–\(number(from + binWidth)): \(counts[b])</title></rect>"
                if barW >= Double(7 * String(counts[b]).count + 4) {
                    svg += "<text x=\"\(Int((x0 + barW / 2).rounded()))\" y=\"\(top + plotH - bh - 3)\" text-anchor=\"middle\" class=\"cv\">\(counts[b])</text>"
                }
            }
            if b % step == 0 {
                svg += "<text x=\"\(Int(x0.rounded()))\" y=\"\(top + plotH + 14)\" text-anchor=\"middle\" class=\"cv\">\(number(from))</text>"
            }
        }
        return svg + "</svg>"
    }
}
