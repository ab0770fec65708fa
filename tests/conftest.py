import os

# scikit-learn reads this when it is first imported: it turns on the Array API checks.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
