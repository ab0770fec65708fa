"""sklearn_norm: every classic and deep-learning normalisation as a scikit-learn transformer."""

from ._batchnorm import BatchNormScaler
from ._config import config_context, get_config, set_config
from ._decimal import DecimalScaler
from ._groupnorm import GroupNormScaler
from ._instancenorm import InstanceNormScaler
from ._layernorm import LayerNormScaler
from ._log import LogScaler
from ._maxabs import MaxAbsScaler
from ._minmax import MinMaxScaler
from ._power import PowerScaler
from ._quantile import QuantileScaler
from ._registry import all_estimators, make_scaler, register, scaler_grid
from ._rmsnorm import RMSNormScaler
from ._robust import RobustScaler
from ._unitnorm import UnitNormScaler
from ._zscore import ZScoreScaler

register("minmax")(MinMaxScaler)
register("zscore")(ZScoreScaler)
register("decimal")(DecimalScaler)
register("log")(LogScaler)
register("unitnorm")(UnitNormScaler)
register("batchnorm")(BatchNormScaler)
register("layernorm")(LayerNormScaler)
register("instancenorm")(InstanceNormScaler)
register("groupnorm")(GroupNormScaler)
register("maxabs")(MaxAbsScaler)
register("rmsnorm")(RMSNormScaler)
register("power")(PowerScaler)
register("robust")(RobustScaler)
register("quantile")(QuantileScaler)

__version__ = "0.1.0"

__all__ = [
    "BatchNormScaler",
    "DecimalScaler",
    "GroupNormScaler",
    "InstanceNormScaler",
    "LayerNormScaler",
    "LogScaler",
    "MaxAbsScaler",
    "MinMaxScaler",
    "RMSNormScaler",
    "PowerScaler",
    "QuantileScaler",
    "RobustScaler",
    "UnitNormScaler",
    "ZScoreScaler",
    "all_estimators",
    "config_context",
    "get_config",
    "make_scaler",
    "scaler_grid",
    "set_config",
]
