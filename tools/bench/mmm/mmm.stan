// The Sextant MMM (libs/domain/mmm) in its default configuration, written for Stan so that the
// benchmark can compare effective samples per second on the identical posterior:
// geometric adstock normalised over L weeks, logistic saturation, channel effect parameterised by
// ROI (beta = roi * spend_total / (target_scale * sum(h))), media contributions centred on their
// mean over the weeks (so the intercept is the average level), centred linear trend, yearly
// Fourier seasonality, Normal likelihood on max-abs scaled data. Same priors and transforms
// (log for positive, logit for (0, 1) parameters) as the TypeScript model.
data {
  int<lower=1> T;
  int<lower=1> C;
  int<lower=1> L;
  int<lower=0> F;
  matrix[T, C] x;           // spend / max spend per channel
  vector[T] y;              // KPI / max |KPI|
  vector[T] trend;          // (t - (T - 1) / 2) / T
  matrix[T, F] season;      // sin/cos pairs
  vector[C] spend_total;    // original units
  real<lower=0> target_scale;
  real roi_mu;
  real<lower=0> roi_sigma;
  real<lower=0> alpha_a;
  real<lower=0> alpha_b;
  real<lower=0> lambda_shape;
  real<lower=0> lambda_rate;
}
parameters {
  real intercept;
  real trend_coef;
  vector[F] gamma;
  vector<lower=0>[C] roi;
  vector<lower=0, upper=1>[C] alpha;
  vector<lower=0>[C] lambda;
  real<lower=0> sigma;
}
model {
  vector[T] mu = intercept + trend_coef * trend + season * gamma;
  for (c in 1:C) {
    vector[L] w;
    vector[T] a = rep_vector(0, T);
    for (l in 1:L) w[l] = pow(alpha[c], l - 1);
    w = w / sum(w);
    for (l in 1:L) a[l:T] += w[l] * x[1:(T - l + 1), c];
    {
      vector[T] e = exp(-lambda[c] * a);
      vector[T] h = (1 - e) ./ (1 + e);
      real beta = roi[c] * spend_total[c] / (target_scale * sum(h));
      mu += beta * (h - mean(h));
    }
  }
  intercept ~ normal(0, 2);
  trend_coef ~ normal(0, 1);
  gamma ~ normal(0, 1);
  roi ~ lognormal(roi_mu, roi_sigma);
  alpha ~ beta(alpha_a, alpha_b);
  lambda ~ gamma(lambda_shape, lambda_rate);
  sigma ~ normal(0, 2);
  y ~ normal(mu, sigma);
}
