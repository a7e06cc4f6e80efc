"""``newsflow run`` against a real Prefect server whose database is PostgreSQL, not SQLite."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SEEDS
from tests.servers import artifacts, flow_runs, postgres_cluster, prefect_server, psql, run_newsflow


def test_prefect_server_on_postgresql(tmp_path: Path) -> None:
    source, output, home = tmp_path / "in", tmp_path / "out", tmp_path / "prefect"
    shutil.copytree(SEEDS, source)
    with postgres_cluster(tmp_path / "postgres") as database, prefect_server(home, database_url=database) as server:
        done = run_newsflow(["run", "--source", str(source), "--output", str(output)], api_url=server.api_url)
        assert done.returncode == 0, done.stdout + done.stderr

        # the API reports the run and its summary artifact ...
        [run] = flow_runs(server.api_url, "ingest")
        assert (run["state_type"], run["parameters"]["source"]) == ("COMPLETED", str(source))
        assert run["id"] in done.stdout  # "newsflow run <flow run id> finished in ..."
        keys = {artifact["key"] for artifact in artifacts(server.api_url, run["id"])}
        assert "ingest-summary" in keys

        # ... because PostgreSQL holds them
        stored = psql(
            database,
            "select f.name, r.id, r.name, r.state_type from flow_run r join flow f on f.id = r.flow_id",
        )
        assert stored == [["ingest", run["id"], run["name"], "COMPLETED"]]
        stored_keys = psql(database, f"select key from artifact where flow_run_id = '{run['id']}' and key is not null")
        assert {key for (key,) in stored_keys} == keys
    assert not list(home.glob("*.db")), "the server must not have fallen back to SQLite"
