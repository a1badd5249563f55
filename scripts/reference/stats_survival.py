#!/usr/bin/env python3
"""Second-opinion references for RestoraStats survival and regression, from PyPI packages:
lifelines (KM, log-rank, Cox), statsmodels (logistic GLM, OLS) and firthmodels (Firth logistic with
penalized likelihood-ratio p-values and profile penalized-likelihood intervals, as R's logistf).

    pip install lifelines statsmodels firthmodels
    python3 scripts/reference/stats_survival.py        # from the repository root

Inputs are read from the R fixtures (scripts/reference/stats_survival.R) so both tools see the same
data; Firth cases that R cannot provide here (Debian has no r-cran-logistf) are defined below.
"""
import json
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
FIX = Path("Tests/RestoraStatsTests/Fixtures")


def vec(x):
    return list(x) if isinstance(x, list) else [x]


def clean(x):
    """NaN/inf → None so the JSON stays standard."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return float(x) if np.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    return x


def tool(*names):
    return {n: version(n) for n in names} | {"generator": "scripts/reference/stats_survival.py"}


def lifelines_cases():
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test
    import pandas as pd

    km = json.loads((FIX / "survival-km.json").read_text())
    km_out = []
    for c in km["cases"]:
        t, e = np.array(vec(c["time"]), float), np.array(vec(c["status"]), int)
        f = KaplanMeierFitter().fit(t, e, alpha=0.05)
        ci = f.confidence_interval_survival_function_
        times = f.survival_function_.index.values[1:] if f.survival_function_.index.values[0] == 0 and 0 not in t else f.survival_function_.index.values
        km_out.append({"name": c["name"], "time": list(t), "status": list(e),
                       "km_time": list(times), "surv": list(f.survival_function_.loc[times].iloc[:, 0]),
                       "lower": list(ci.loc[times].iloc[:, 0]), "upper": list(ci.loc[times].iloc[:, 1]),
                       "median": f.median_survival_time_})
    lr = json.loads((FIX / "survival-logrank.json").read_text())
    lr_out = []
    for c in lr["cases"]:
        if c.get("strata") is not None:
            continue  # lifelines has no stratified log-rank
        r = multivariate_logrank_test(vec(c["time"]), vec(c["group"]), vec(c["status"]))
        lr_out.append({"name": c["name"], "chisq": r.test_statistic, "p": r.p_value})
    cox = json.loads((FIX / "survival-cox.json").read_text())
    cox_out = []
    for c in cox["cases"]:
        if c["ties"] != "efron":
            continue  # lifelines implements Efron only
        names = vec(c["names"])
        df = pd.DataFrame({n: vec(c["covariates"][n]) for n in names})
        df["T"], df["E"] = vec(c["time"]), vec(c["status"])
        f = CoxPHFitter().fit(df, "T", "E", fit_options={"precision": 1e-12, "max_steps": 100})
        cox_out.append({"name": c["name"], "coef": list(f.params_[names]),
                        "se": list(f.standard_errors_[names]), "loglik": f.log_likelihood_,
                        "concordance": f.concordance_index_})
    return {"tool": tool("lifelines"), "km": km_out, "logrank": lr_out, "cox": cox_out,
            "notes": ["lifelines KM intervals are the exponential Greenwood (R conf.type='log-log'); R's default is 'log'.",
                      "lifelines' median is the first time S(t) <= 0.5; R takes the midpoint of a flat at exactly 0.5.",
                      "lifelines Cox supports Efron ties only; R coxph defaults to Efron too (Breslow optional)."]}


def firth_cases():
    from firthmodels import FirthLogisticRegression

    logit = json.loads((FIX / "regression-logistic.json").read_text())
    cohort = logit["cases"][0]
    datasets = [
        ("30-subject cohort, age + dose", vec(cohort["y"]),
         {n: vec(cohort["covariates"][n]) for n in vec(cohort["names"])}),
        ("complete separation", [0, 0, 0, 0, 1, 1, 1, 1, 1],
         {"x": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
        ("quasi-complete separation, 30 men", [0] * 12 + [1] * 3 + [0] * 7 + [1] * 8,
         {"treated": [0] * 15 + [1] * 15,
          "age": [34, 41, 38, 45, 50, 29, 36, 44, 39, 47, 33, 42, 40, 37, 48,
                  35, 43, 31, 46, 39, 38, 44, 32, 41, 49, 36, 40, 45, 30, 42]}),
        ("tiny complete separation, n = 4", [0, 0, 1, 1], {"x": [1, 2, 3, 4]}),
        ("small binary, one covariate", [0, 1, 0, 0, 1, 1, 0, 1],
         {"x": [0.5, 1.2, 0.3, 1.1, 2.0, 1.7, 0.9, 0.4]}),
    ]
    # quasi-complete: every untreated man with y = 1 ... make it quasi-separated on 'treated'
    y_q = [0] * 15 + [0] * 5 + [1] * 10
    datasets[2] = (datasets[2][0], y_q, datasets[2][2])
    out = []
    for name, y, covs in datasets:
        names = list(covs)
        X = np.column_stack([covs[n] for n in names]).astype(float)
        m = FirthLogisticRegression(max_iter=200, gtol=1e-7, xtol=1e-7, max_halfstep=50).fit(X, np.array(y))
        m.lrt()
        ci = m.conf_int(alpha=0.05, method="pl", max_iter=200, tol=1e-10)
        # firthmodels puts the intercept last; reorder to intercept first like R.
        order = [len(names)] + list(range(len(names)))
        coef = np.concatenate([m.coef_, [m.intercept_]])
        # logistf reports SE = sqrt(diag((X'WX)^-1)) at the penalized estimate; firthmodels' bse_ uses the
        # data-augmented information X'diag((1 + h)w)X instead and is smaller. Both are recorded; the
        # logistf-definition SE is computed here with numpy from firthmodels' estimate (labelled as such).
        Xi = np.column_stack([np.ones(len(y)), X])
        pi = 1 / (1 + np.exp(-Xi @ coef[order]))
        se_logistf = np.sqrt(np.diag(np.linalg.inv(Xi.T @ (Xi * (pi * (1 - pi))[:, None]))))
        out.append({"name": name, "y": y, "covariates": covs, "names": names,
                    "coef": list(coef[order]), "se_firthmodels_augmented": list(m.bse_[order]),
                    "se_logistf_formula_numpy": list(se_logistf), "p": list(m.lrt_pvalues_[order]),
                    "lower": list(ci[order, 0]), "upper": list(ci[order, 1]), "penalized_loglik": m.loglik_,
                    "converged": bool(m.converged_)})
    return {"tool": tool("firthmodels", "numpy"), "conf_level": 0.95,
            "notes": "Firth (1993) penalized likelihood as R logistf: SE from the inverse Fisher information, "
                     "p from penalized likelihood-ratio tests, profile penalized-likelihood intervals.",
            "cases": out}


def statsmodels_cases():
    import statsmodels.api as sm

    logit = json.loads((FIX / "regression-logistic.json").read_text())
    out = []
    for c in logit["cases"]:
        names = vec(c["names"])
        X = sm.add_constant(np.column_stack([vec(c["covariates"][n]) for n in names]).astype(float))
        f = sm.GLM(np.array(vec(c["y"]), float), X, family=sm.families.Binomial()).fit(tol=1e-14, maxiter=100)
        out.append({"name": c["name"], "coef": list(f.params), "se": list(f.bse), "p": list(f.pvalues),
                    "deviance": f.deviance, "aic": f.aic})
    lin = json.loads((FIX / "regression-linear.json").read_text())
    lin_out = []
    for c in lin["cases"]:
        names = vec(c["names"])
        X = sm.add_constant(np.column_stack([vec(c["covariates"][n]) for n in names]).astype(float))
        f = sm.OLS(np.array(vec(c["y"]), float), X).fit()
        lin_out.append({"name": c["name"], "coef": list(f.params), "se": list(f.bse), "r_squared": f.rsquared,
                        "f": f.fvalue, "f_p": f.f_pvalue})
    return {"tool": tool("statsmodels"), "logistic": out, "linear": lin_out}


if __name__ == "__main__":
    (FIX / "regression-firth.json").write_text(json.dumps(clean(firth_cases()), indent=1))
    (FIX / "survival-lifelines.json").write_text(json.dumps(clean(lifelines_cases()), indent=1))
    (FIX / "regression-statsmodels.json").write_text(json.dumps(clean(statsmodels_cases()), indent=1))
    print("wrote", FIX)
