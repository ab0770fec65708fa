"""sklearn_norm: every classic and deep-learning normalisation as a scikit-learn transformer."""

from ._batchnorm import BatchNormScaler
from ._config import config_context, get_config, set_config
from ._decimal import DecimalScaler
from ._log import LogScaler
from ._minmax import MinMaxScaler
from ._registry import all_estimators, make_scaler, register, scaler_grid
from ._zscore import ZScoreScaler

register("minmax")(MinMaxScaler)
register("zscore")(ZScoreScaler)
register("decimal")(DecimalScaler)
register("log")(LogScaler)
register("batchnorm")(BatchNormScaler)

__version__ = "0.1.0"

__all__ = [
    "BatchNormScaler",
    "DecimalScaler",
    "LogScaler",
    "MinMaxScaler",
    "ZScoreScaler",
    "all_estimators",
    "config_context",
    "get_config",
    "make_scaler",
    "scaler_grid",
    "set_config",
]
