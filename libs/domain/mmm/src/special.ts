/* eslint-disable no-loss-of-precision -- published coefficients (Cody 1969, Acklam) are kept digit for digit */
// Module-level aliases: global lookups are slow inside vm contexts (jest), and these run in the hot loops.
const { exp, log, log1p, sqrt, abs } = Math;
/** Special functions used by the likelihoods and the diagnostics. */

const LOG_SQRT_2PI = 0.5 * log(2 * Math.PI);

/** log(erfc(x)) for x >= 0 (Numerical Recipes erfcc, relative error < 1.2e-7, smooth in x). */
function logErfcNonNegative(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return log(t) - x * x + poly;
}

/** d/dx log(erfc(x)) for x >= 0, consistent with logErfcNonNegative. */
function dLogErfcNonNegative(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const dt = -0.5 * t * t;
  const c = [
    1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
    0.17087277,
  ];
  // d poly / dt where poly = -1.265... + t*(c0 + t*(c1 + ...)).
  let dpoly = 0;
  for (let i = c.length - 1; i >= 0; i--) dpoly = dpoly * t + (i + 1) * c[i];
  return dt / t - 2 * x + dpoly * dt;
}

/** log of the standard normal CDF, accurate in the far left tail. */
export function logNormalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  if (x >= 0) return log(0.5) + logErfcNonNegative(x);
  return log1p(-0.5 * exp(logErfcNonNegative(-x)));
}

/** d/dz log Phi(z) (the inverse Mills ratio phi(z)/Phi(z)), consistent with logNormalCdf. */
export function dLogNormalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  if (x >= 0) return -dLogErfcNonNegative(x) / Math.SQRT2;
  const e = 0.5 * exp(logErfcNonNegative(-x));
  // d/dz log(1 - e(z)), e = 0.5 erfc(z/sqrt2)
  const de = (e * dLogErfcNonNegative(-x)) / Math.SQRT2;
  return -de / (1 - e);
}

export function normalLogPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  return exp(logNormalCdf(z));
}

/** Inverse standard normal CDF (Acklam's rational approximation plus one Halley refinement step). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = sqrt(-2 * log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = sqrt(-2 * log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * sqrt(2 * Math.PI) * exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Complementary error function, W. J. Cody's rational approximations (about 1e-15 relative). */
export function erfc(x: number): number {
  const ax = abs(x);
  let result: number;
  if (ax < 0.5) {
    const t = x * x;
    const top =
      (((0.185777706184603153 * t + 3.1611237438705656) * t + 113.864154151050156) * t +
        377.485237685302021) *
        t +
      3209.37758913846947;
    const bottom =
      (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t +
      2844.23683343917062;
    return 1 - (x * top) / bottom;
  } else if (ax < 4) {
    const top =
      (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax +
        66.1191906371416295) *
        ax +
        298.635138197400131) *
        ax +
        881.95222124176909) *
        ax +
        1712.04761263407058) *
        ax +
        2051.07837782607147) *
        ax +
      1230.33935479799725;
    const bottom =
      (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax +
        1621.38957456669019) *
        ax +
        3290.79923573345963) *
        ax +
        4362.61909014324716) *
        ax +
        3439.36767414372164) *
        ax +
      1230.33935480374942;
    result = exp(-ax * ax) * (top / bottom);
  } else {
    const z = 1 / (ax * ax);
    const top =
      ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z +
        0.125781726111229246) *
        z +
        0.0160837851487422766) *
        z +
      0.000658749161529837803;
    const bottom =
      ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z +
        0.0605183413124413191) *
        z +
      0.00233520497626869185;
    result = (exp(-ax * ax) / ax) * (0.564189583547756287 - (z * top) / bottom);
  }
  return x < 0 ? 2 - result : result;
}

const NEGATIVE_INFINITY = -Infinity;

export function logSumExp(a: number, b: number): number {
  if (a === NEGATIVE_INFINITY) return b;
  if (b === NEGATIVE_INFINITY) return a;
  return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}
