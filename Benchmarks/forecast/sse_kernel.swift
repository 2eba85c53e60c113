// Compares the fitter objective before (one nextFitted + update per value) and after
// (HoltWinters.sse kernel). Not part of the package. From the repository root:
//   swiftc -O -parse-as-library -module-name KB Sources/Forecast/HoltWinters.swift Sources/Forecast/ForecastModel.swift \
//       Benchmarks/forecast/sse_kernel.swift -o /tmp/sse_kernel && /tmp/sse_kernel
import Foundation

func cpu() -> Double { var ts = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }

@main
enum SSEKernelBench {
    static func main() {
        var y: [Double] = []
        var s: UInt64 = 1
        for t in 0..<20160 { s = s &* 6364136223846793005 &+ 1; y.append(100 + 40 * sin(2 * Double.pi * Double(t) / 1440) + Double(s >> 40) / Double(1 << 24)) }
        let specs: [(String, HoltWintersSpec)] = [("holt(damped)", HoltWintersSpec(trend: true, damped: true)),
          ("hw(add, damped, 1440)", HoltWintersSpec(trend: true, damped: true, seasonal: .additive, period: 1440))]
        for (name, spec) in specs {
            let initial = HoltWintersInitialState(
                level: 100, trend: 0.01, seasonal: spec.hasSeason ? (0..<1440).map { 40 * sin(2 * Double.pi * Double($0) / 1440) } : [])
          let m0 = HoltWinters(spec: spec, parameters: HoltWintersParameters(alpha: 0.3, beta: 0.05, gamma: 0.1, phi: 0.95), initial: initial)
          var oldT: [Double] = [], newT: [Double] = []
          var check = 0.0
          for _ in 0 ..< 50 {
            var a = m0; let c0 = cpu()
            var tot = 0.0
            for v in y { let e = v - a.nextFitted; tot += e * e; a.update(v) }
            oldT.append(cpu() - c0); check += tot
            var b = m0; let c1 = cpu()
            check += b.sse(y)
            newT.append(cpu() - c1)
          }
          oldT.sort(); newT.sort()
            print(
                "\(name): per evaluation of 20160 points, thread CPU median: update loop \(String(format: "%.3f", oldT[25]*1e3)) ms (\(String(format: "%.1f", oldT[25]/20160*1e9)) ns/step), sse kernel \(String(format: "%.3f", newT[25]*1e3)) ms (\(String(format: "%.1f", newT[25]/20160*1e9)) ns/step); \(check > 0)"
            )
        }

    }
}
