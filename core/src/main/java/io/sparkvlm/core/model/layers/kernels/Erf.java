package io.sparkvlm.core.model.layers.kernels;

/**
 * The error function. Float: Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), written without branches
 * so the JIT can vectorise it. Double: the Maclaurin series for |x| < 2.5 and a continued fraction of erfc beyond,
 * to about 1e-14 (gradient checks and the exact GELU's double path).
 */
final class Erf {
  private Erf() {}

  static float erf(float x) {
    float ax = Math.abs(x);
    float t = 1f / (1f + 0.3275911f * ax);
    float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f
        + t * 1.061405429f))));
    float e = 1f - poly * FastExp.exp(-ax * ax);
    return x / Math.max(ax, 1e-30f) * e;       // sign(x) * erf(|x|); 0 at 0
  }

  static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 2.5) {
      // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 100; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))) by Lentz's method
      double tiny = 1e-300;
      double f = ax;
      double c = ax;
      double d = 0;
      for (int k = 1; k < 200; k++) {
        double a = k / 2.0;
        d = ax + a * d;
        d = Math.abs(d) < tiny ? tiny : d;
        c = ax + a / c;
        c = Math.abs(c) < tiny ? tiny : c;
        d = 1 / d;
        double delta = c * d;
        f *= delta;
        if (Math.abs(delta - 1) < 1e-16) {
          break;
        }
      }
      r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    }
    return x < 0 ? -r : r;
  }
}
