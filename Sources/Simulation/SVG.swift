import Foundation

/// A minimal SVG writer.
struct SVG {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    var output: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body.joined(separator: "\n") + "\n</svg>\n"
    }

    mutating func text(
        x: Double, y: Double, _ content: String, size: Double, anchor: String = "start", weight: String = "normal",
        color: String = "#222", rotate: Bool = false
    ) {
        let transform = rotate ? " transform=\"rotate(-90 \(n(x)) \(n(y)))\"" : ""
        let finalAnchor = rotate ? "middle" : anchor
        body.append(
            "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(finalAnchor)\" font-weight=\"\(weight)\" fill=\"\(color)\"\(transform)>\(escape(content))</text>"
        )
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1) {
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(color)\" stroke-width=\"\(n(width))\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], color: String, width: Double, dash: String? = nil) {
        guard points.count > 1 else { return }
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(n(width))\"\(dashAttribute) points=\"\(coordinates(points))\"/>")
    }

    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        body.append("<polygon fill=\"\(fill)\" fill-opacity=\"\(n(opacity))\" stroke=\"none\" points=\"\(coordinates(points))\"/>")
    }

    mutating func circle(_ x: Double, _ y: Double, radius: Double, fill: String) {
        body.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"\(fill)\" stroke=\"white\" stroke-width=\"1\"/>")
    }

    mutating func axes(_ frame: Plot.Frame) {
        body.append(
            "<rect x=\"\(n(frame.x))\" y=\"\(n(frame.y))\" width=\"\(n(frame.width))\" height=\"\(n(frame.height))\" fill=\"#fafafa\" stroke=\"#444\"/>")
    }

    mutating func legend(x: Double, y: Double, _ entries: [(color: String, label: String, dash: String?)]) {
        for (index, entry) in entries.enumerated() {
            let row = y + Double(index) * 16
            body.append(
                "<line x1=\"\(n(x))\" y1=\"\(n(row - 4))\" x2=\"\(n(x + 22))\" y2=\"\(n(row - 4))\" stroke=\"\(entry.color)\" stroke-width=\"6\"\(entry.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
            )
            text(x: x + 28, y: row, entry.label, size: 11)
        }
    }

    private func coordinates(_ points: [(Double, Double)]) -> String {
        points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
    }

    private func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String((value * 10).rounded() / 10)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
