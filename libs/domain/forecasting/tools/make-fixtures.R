# Golden fixtures for the forecasting library's unit tests, computed with R's forecast package.
# Run once, offline, from the repository root:
#   Rscript libs/domain/forecasting/tools/make-fixtures.R
# Writes libs/domain/forecasting/src/__fixtures__/r-forecast.json (then formatted with
#   npx prettier --write libs/domain/forecasting/src/__fixtures__/r-forecast.json).
# The tests never run R. Generated with R 4.x and forecast 8.20 (recorded in the file).
suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})

# A small intermittent demand series (made up for the fixture; zeros between sporadic demands).
intermittent <- ts(c(0, 0, 3, 0, 0, 0, 1, 0, 5, 0, 0, 2, 0, 0, 0, 0, 4, 0, 1, 0,
                     0, 0, 0, 6, 0, 0, 2, 0, 0, 0, 3, 0, 0, 1, 0, 0, 0, 0, 2, 0))
# A daily-like non-negative series with zeros and a weekly cycle (frequency 7).
weekly_zeros <- ts(c(5, 7, 0, 4, 9, 12, 3, 6, 8, 1, 5, 10, 14, 2, 4, 9, 0, 6, 11, 13, 4,
                     7, 6, 2, 5, 12, 15, 3, 5, 8, 0, 7, 10, 14, 2, 6, 9, 1, 4, 11, 16, 4), frequency = 7)

datasets <- list(
  AirPassengers = AirPassengers,
  USAccDeaths = USAccDeaths,
  WWWusage = WWWusage,
  ldeaths = ldeaths,
  nottem = nottem,
  weekly_zeros = weekly_zeros,
  # Fewer than three seasons: initial states from R's trend + Fourier regression, not decompose().
  short_seasonal = window(USAccDeaths, end = c(1975, 6))
)

ets_summary <- function(fit, h) {
  fc <- forecast(fit, h = h, level = c(80, 95))
  par <- fit$par
  list(
    method = fit$method,
    alpha = unname(par["alpha"]),
    beta = if (is.na(par["beta"])) NULL else unname(par["beta"]),
    gamma = if (is.na(par["gamma"])) NULL else unname(par["gamma"]),
    phi = if (is.na(par["phi"])) NULL else unname(par["phi"]),
    initialState = unname(fit$initstate),
    aicc = fit$aicc,
    aic = fit$aic,
    sigma2 = fit$sigma2,
    mean = as.numeric(fc$mean),
    lower80 = as.numeric(fc$lower[, 1]), upper80 = as.numeric(fc$upper[, 1]),
    lower95 = as.numeric(fc$lower[, 2]), upper95 = as.numeric(fc$upper[, 2])
  )
}

out <- list(generatedWith = paste("R", getRversion(), "forecast", packageVersion("forecast")), series = list())
for (name in names(datasets)) {
  y <- datasets[[name]]
  m <- frequency(y)
  h <- if (m > 1) 2 * m else 10
  auto <- ets(y)
  fixed <- list()
  for (model in c("ANN", "AAN", "AAA", "MAM", "MNM", "MAN")) {
    if (m == 1 && substr(model, 3, 3) != "N") next
    if (min(y) <= 0 && grepl("M", model)) next
    fixed[[model]] <- ets_summary(ets(y, model = model, damped = FALSE), h)
  }
  if (m > 1 && min(y) > 0) fixed[["MAdM"]] <- ets_summary(ets(y, model = "MAM", damped = TRUE), h)
  if (min(y) >= 0) fixed[["AAdN"]] <- ets_summary(ets(y, model = "AAN", damped = TRUE), h)
  th <- thetaf(y, h = h, level = c(80, 95))
  sesf <- ses(y, h = h, level = c(80, 95))
  out$series[[name]] <- list(
    y = as.numeric(y), frequency = m, horizon = h,
    autoEts = ets_summary(auto, h),
    candidatesAicc = NULL,
    fixedEts = fixed,
    theta = list(mean = as.numeric(th$mean), alpha = unname(th$model$par["alpha"]),
                 lower80 = as.numeric(th$lower[, 1]), upper80 = as.numeric(th$upper[, 1]),
                 lower95 = as.numeric(th$lower[, 2]), upper95 = as.numeric(th$upper[, 2])),
    ses = list(mean = as.numeric(sesf$mean), alpha = unname(sesf$model$par["alpha"]),
               level0 = unname(sesf$model$par["l"]))
  )
}

cr <- croston(intermittent, h = 5, alpha = 0.1)
cr2 <- croston(intermittent, h = 5, alpha = 0.3)
out$croston <- list(
  y = as.numeric(intermittent),
  alpha01 = as.numeric(cr$mean),
  alpha03 = as.numeric(cr2$mean)
)
out$decompose <- list(
  y = as.numeric(AirPassengers), frequency = 12,
  multiplicativeFigure = as.numeric(decompose(AirPassengers, type = "multiplicative")$figure),
  additiveFigure = as.numeric(decompose(AirPassengers, type = "additive")$figure),
  acf = as.numeric(acf(AirPassengers, lag.max = 12, plot = FALSE)$acf)[-1]
)
out$qnorm <- list(p = c(0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999999),
                  q = qnorm(c(0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999999)))

dir.create("libs/domain/forecasting/src/__fixtures__", showWarnings = FALSE)
write_json(out, "libs/domain/forecasting/src/__fixtures__/r-forecast.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null")
cat("wrote libs/domain/forecasting/src/__fixtures__/r-forecast.json\n")
