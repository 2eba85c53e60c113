import Foundation

/// In-place iterative radix-2 complex FFT (`re`, `im` of a power-of-two length).
/// `inverse` computes the unnormalised inverse transform.
func fft(_ re: inout [Double], _ im: inout [Double], inverse: Bool = false) {
    let n = re.count
    precondition(n == im.count && n > 0 && n & (n - 1) == 0, "FFT length must be a power of two")
    var j = 0
    for i in 1 ..< n {
        var bit = n >> 1
        while j & bit != 0 { j ^= bit; bit >>= 1 }
        j |= bit
        if i < j { re.swapAt(i, j); im.swapAt(i, j) }
    }
    var len = 2
    while len <= n {
        let angle = (inverse ? 2 : -2) * Double.pi / Double(len)
        let wr = cos(angle), wi = sin(angle)
        var start = 0
        while start < n {
            var cr = 1.0, ci = 0.0
            for k in 0 ..< len / 2 {
                let a = start + k, b = a + len / 2
                let tr = re[b] * cr - im[b] * ci
                let ti = re[b] * ci + im[b] * cr
                re[b] = re[a] - tr; im[b] = im[a] - ti
                re[a] += tr; im[a] += ti
                let ncr = cr * wr - ci * wi
                ci = cr * wi + ci * wr
                cr = ncr
            }
            start += len
        }
        len <<= 1
    }
}

/// The smallest power of two ≥ `n`.
func nextPowerOfTwo(_ n: Int) -> Int {
    var p = 1
    while p < n { p <<= 1 }
    return p
}
