# Fits tools/bench/mmm/mmm.stan with rstan on data written by performance.ts (an R dump file) and
# writes the draws (chain, iteration, parameters...) as CSV plus the wall-clock seconds of sampling.
# usage: Rscript fit-stan.R MODEL.stan DATA.R DRAWS.csv TIME.txt CHAINS TUNE DRAWS SEED ADAPT_DELTA
suppressPackageStartupMessages(library(rstan))
args <- commandArgs(trailingOnly = TRUE)
rstan_options(auto_write = TRUE)
model <- stan_model(args[1])
data <- read_rdump(args[2])
chains <- as.integer(args[5])
started <- Sys.time()
fit <- sampling(model, data = data, chains = chains, cores = chains, warmup = as.integer(args[6]),
                iter = as.integer(args[6]) + as.integer(args[7]), seed = as.integer(args[8]),
                control = list(adapt_delta = as.numeric(args[9])), refresh = 0)
seconds <- as.numeric(difftime(Sys.time(), started, units = "secs"))
draws <- as.array(fit)
rows <- list()
for (ch in seq_len(dim(draws)[2])) {
  rows[[ch]] <- data.frame(chain = ch, iteration = seq_len(dim(draws)[1]), draws[, ch, ], check.names = FALSE)
}
write.csv(do.call(rbind, rows), args[3], row.names = FALSE)
sampler <- get_sampler_params(fit, inc_warmup = TRUE)
warmup <- as.integer(args[6])
divergent <- sum(sapply(sampler, function(s) sum(s[-seq_len(warmup), "divergent__"])))
leapfrogs <- sum(sapply(sampler, function(s) sum(s[, "n_leapfrog__"])))
writeLines(c(sprintf("%.3f", seconds), divergent, leapfrogs), args[4])
