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
    "register",
    "scaler_grid",
    "set_config",
]
