"""The same stages under Spark give exactly what the local executor gives."""
import os
import shutil
import sys

import pytest

from marsad.engines.local import LocalExecutor

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers must import marsad from this venv
    session = (
        SparkSession.builder.master("local[2]").appName("marsad-test")
        .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1").config("spark.pyspark.python", sys.executable)
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_matches_local(spark, tmp_path):
    from marsad.engines.spark import SparkExecutor

    examples = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "examples" / "corpus")
    (tmp_path / "empty.txt").write_bytes(b"")
    paths = [examples, str(tmp_path / "empty.txt")]
    local = list(LocalExecutor().run(paths))
    distributed = list(SparkExecutor(spark, chunk=3).run(paths))
    key = lambda x: getattr(x, "id", "") or str(x)  # noqa: E731
    assert sorted(map(key, distributed)) == sorted(map(key, local))
    by_id = {a.id: a for a in local if hasattr(a, "id")}
    for a in distributed:
        if hasattr(a, "id"):
            assert a.to_dict() == by_id[a.id].to_dict()
    assert sum(1 for a in distributed if not hasattr(a, "id")) == 1
