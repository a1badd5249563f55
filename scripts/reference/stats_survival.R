#!/usr/bin/env Rscript
# Reference values for RestoraStats survival and regression, from R (Debian r-base-core, r-cran-survival,
# r-cran-mass, r-cran-jsonlite). Writes JSON fixtures (inputs + expected outputs + tool versions) into
# Tests/RestoraStatsTests/Fixtures/. Run from the repository root:
#   Rscript scripts/reference/stats_survival.R
# Iterative fits are run with tighter tolerances than R's defaults so that the expected values are the
# converged estimates, not R's stopping point.
suppressPackageStartupMessages({ library(survival); library(MASS); library(jsonlite) })

out <- "Tests/RestoraStatsTests/Fixtures"
tool <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
             MASS = as.character(packageVersion("MASS")), generator = "scripts/reference/stats_survival.R")
write_fixture <- function(x, file) {
  writeLines(toJSON(x, digits = NA, na = "null", auto_unbox = TRUE, pretty = TRUE, null = "null"),
             file.path(out, file))
}
nn <- function(x) if (length(x) == 0) list() else x  # keep empty vectors as JSON arrays

# ---------------------------------------------------------------- Kaplan–Meier
km_case <- function(name, time, status, at) {
  types <- list()
  for (ct in c("log-log", "plain", "log")) {
    f <- survfit(Surv(time, status) ~ 1, conf.type = ct)
    q <- quantile(f, c(0.25, 0.5, 0.75))
    s <- summary(f, times = at, extend = TRUE)
    types[[ct]] <- list(
      time = f$time, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor,
      surv = f$surv, std_err_log = f$std.err, lower = f$lower, upper = f$upper,
      quantile_probs = c(0.25, 0.5, 0.75),
      quantile = unname(q$quantile), quantile_lower = unname(q$lower), quantile_upper = unname(q$upper),
      at = at, at_n_risk = s$n.risk, at_surv = s$surv, at_std_err = s$std.err,
      at_lower = s$lower, at_upper = s$upper)
  }
  list(name = name, time = time, status = status, conf_types = types)
}
aml2 <- survival::aml
km_cases <- list(
  km_case("aml (ties, censoring)", aml2$time, aml2$status, c(5, 12, 30, 100)),
  km_case("flat exactly at 0.5 (midpoint median)", c(1, 2, 3, 4), c(1, 1, 0, 1), c(2.5, 4)),
  km_case("ends flat at 0.5 (median to last time)", c(1, 2, 3, 4), c(1, 1, 0, 0), c(2, 5)),
  km_case("curve reaches zero", c(2, 3, 3, 5, 8), c(1, 1, 0, 1, 1), c(1, 4, 8, 9)),
  km_case("all censored", c(3, 5, 7, 9), c(0, 0, 0, 0), c(4)),
  km_case("n = 1 event", c(4), c(1), c(2, 4)),
  km_case("heavy ties", c(1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5, 6, 6),
          c(1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0), c(1, 2, 3, 4, 5, 6))
)
write_fixture(list(tool = tool, conf_level = 0.95, cases = km_cases), "survival-km.json")

# ---------------------------------------------------------------- log-rank
set.seed(20261121)
n3 <- 60
g3 <- rep(c("A", "B", "C"), each = 20)
t3 <- round(rexp(n3, rate = c(A = 0.10, B = 0.15, C = 0.25)[g3]) * 4) / 4  # quarter units: many ties
c3 <- round(runif(n3, 2, 20) * 4) / 4
time3 <- pmin(t3, c3); status3 <- as.integer(t3 <= c3)
strata3 <- rep(c("s1", "s2"), times = 30)
lr_case <- function(name, time, status, group, strata = NULL) {
  f <- if (is.null(strata)) survdiff(Surv(time, status) ~ group)
       else survdiff(Surv(time, status) ~ group + strata(strata))
  obs <- if (is.matrix(f$obs)) rowSums(f$obs) else f$obs
  exp <- if (is.matrix(f$exp)) rowSums(f$exp) else f$exp
  df <- sum(exp > 0) - 1
  list(name = name, time = time, status = status, group = group, strata = strata,
       groups = sort(unique(group)), n = as.vector(table(group)), observed = as.vector(obs), expected = as.vector(exp),
       variance = as.vector(t(f$var)), chisq = f$chisq, df = df,
       p = pchisq(f$chisq, df, lower.tail = FALSE))
}
lr_cases <- list(
  lr_case("aml two groups", aml2$time, aml2$status, as.character(aml2$x)),
  lr_case("three groups with ties", time3, status3, g3),
  lr_case("three groups stratified", time3, status3, g3, strata3),
  lr_case("a group with one subject", c(1, 2, 3, 4, 5, 6, 7), c(1, 0, 1, 1, 0, 1, 1), c("a", "a", "a", "b", "b", "b", "c"))
)
write_fixture(list(tool = tool, cases = lr_cases), "survival-logrank.json")

# ---------------------------------------------------------------- Cox
lung2 <- na.omit(survival::lung[, c("time", "status", "age", "sex", "ph.ecog")])
lung2$status <- lung2$status - 1
cox_case <- function(name, data, covs, ties) {
  fml <- as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + ")))
  f <- coxph(fml, data = data, ties = ties, control = coxph.control(eps = 1e-10, iter.max = 100))
  s <- summary(f)
  list(name = name, ties = ties, time = data$time, status = data$status,
       covariates = setNames(lapply(covs, function(v) data[[v]]), covs), names = covs,
       coef = unname(coef(f)), se = unname(sqrt(diag(vcov(f)))), hr = unname(exp(coef(f))),
       lower = unname(s$conf.int[, 3]), upper = unname(s$conf.int[, 4]),
       z = unname(s$coefficients[, 4]), p = unname(s$coefficients[, 5]),
       loglik_null = f$loglik[1], loglik = f$loglik[2],
       lr = 2 * diff(f$loglik), wald = unname(f$wald.test), score = unname(f$score),
       concordance = unname(f$concordance["concordance"]))
}
cox_cases <- list()
for (ties in c("efron", "breslow")) {
  cox_cases[[length(cox_cases) + 1]] <- cox_case("lung age+sex+ph.ecog", lung2, c("age", "sex", "ph.ecog"), ties)
  cox_cases[[length(cox_cases) + 1]] <- cox_case("aml (tied times)",
    data.frame(time = aml2$time, status = aml2$status, maintained = as.integer(aml2$x == "Maintained")),
    c("maintained"), ties)
  cox_cases[[length(cox_cases) + 1]] <- cox_case("ovarian",
    data.frame(time = survival::ovarian$futime, status = survival::ovarian$fustat, age = survival::ovarian$age,
               rx = survival::ovarian$rx, ecog = survival::ovarian$ecog.ps), c("age", "rx", "ecog"), ties)
}
write_fixture(list(tool = tool, conf_level = 0.95, cases = cox_cases), "survival-cox.json")

# ---------------------------------------------------------------- logistic (glm) with profile intervals
set.seed(4)
n <- 30
age <- round(rnorm(n, 40, 8))
dose <- round(runif(n, 1, 5), 1)
eta <- -6 + 0.12 * age + 0.4 * dose
y <- rbinom(n, 1, plogis(eta))
glm_case <- function(name, y, covs) {
  d <- data.frame(y = y, covs)
  f <- glm(y ~ ., data = d, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  s <- summary(f)
  X <- model.matrix(f)
  crit <- qchisq(0.95, 1)
  # Exact profile-likelihood limits: refit with the coefficient fixed via an offset; uniroot on deviance.
  prof <- t(sapply(seq_len(ncol(X)), function(j) {
    dev_at <- function(b) {
      off <- X[, j] * b
      g <- suppressWarnings(glm.fit(X[, -j, drop = FALSE], y, family = binomial(), offset = off,
                   control = glm.control(epsilon = 1e-14, maxit = 100), intercept = FALSE))
      g$deviance - f$deviance - crit
    }
    b <- coef(f)[j]; se <- s$coefficients[j, 2]
    c(uniroot(dev_at, c(b - 10 * se, b), tol = 1e-12)$root, uniroot(dev_at, c(b, b + 10 * se), tol = 1e-12)$root)
  }))
  mass <- suppressMessages(confint(f))
  list(name = name, y = y, covariates = as.list(covs), names = names(covs),
       coef = unname(coef(f)), se = unname(s$coefficients[, 2]), z = unname(s$coefficients[, 3]),
       p = unname(s$coefficients[, 4]), deviance = f$deviance, null_deviance = f$null.deviance, aic = f$aic,
       wald_lower = unname(coef(f) - qnorm(0.975) * s$coefficients[, 2]),
       wald_upper = unname(coef(f) + qnorm(0.975) * s$coefficients[, 2]),
       profile_lower = prof[, 1], profile_upper = prof[, 2],
       mass_profile_lower = unname(mass[, 1]), mass_profile_upper = unname(mass[, 2]))
}
logit_cases <- list(
  glm_case("30-subject cohort, age + dose", y, list(age = age, dose = dose)),
  glm_case("aml-like binary, one covariate", c(0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1),
           list(x = c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2.5, 7.5)))
)
write_fixture(list(tool = tool, conf_level = 0.95,
                   notes = paste("profile_* are exact roots of the profile deviance (glm.fit with offset + uniroot);",
                                 "mass_profile_* are MASS::confint.glm, which interpolates the profile on a grid",
                                 "with a spline and so differs from the exact roots by up to a few 1e-3 (relative)."),
                   cases = logit_cases), "regression-logistic.json")

# ---------------------------------------------------------------- linear (lm)
lm_case <- function(name, y, covs) {
  d <- data.frame(y = y, covs)
  f <- lm(y ~ ., data = d); s <- summary(f); ci <- confint(f)
  fs <- s$fstatistic
  list(name = name, y = y, covariates = as.list(covs), names = names(covs),
       coef = unname(coef(f)), se = unname(s$coefficients[, 2]), t = unname(s$coefficients[, 3]),
       p = unname(s$coefficients[, 4]), lower = unname(ci[, 1]), upper = unname(ci[, 2]),
       sigma = s$sigma, r_squared = s$r.squared, adj_r_squared = s$adj.r.squared,
       f = unname(fs[1]), f_df1 = unname(fs[2]), f_df2 = unname(fs[3]),
       f_p = unname(pf(fs[1], fs[2], fs[3], lower.tail = FALSE)))
}
lm_cases <- list(
  lm_case("mtcars mpg ~ wt + hp", mtcars$mpg, list(wt = mtcars$wt, hp = mtcars$hp)),
  lm_case("cohort dose ~ age", dose, list(age = age))
)
write_fixture(list(tool = tool, conf_level = 0.95, cases = lm_cases), "regression-linear.json")
cat("wrote fixtures to", out, "\n")
