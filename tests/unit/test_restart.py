"""Which changes the engine reloads and which wait for a restart, and what a waiting restart says."""

from tasks.restart import RELOADABLE_KEYS, changed_keys, pending_message, restart_keys


def test_only_the_keys_whose_values_differ_count():
    before = {"runtimes": {"nvidia": {}}, "bridge": "none", "log-level": "warn"}
    after = {"runtimes": {"nvidia": {}, "spare": {}}, "bridge": "none", "default-shm-size": "1G"}
    assert changed_keys(before, after) == {"runtimes", "log-level", "default-shm-size"}
    assert changed_keys(before, after) - RELOADABLE_KEYS == {"log-level"}


def test_a_file_the_engine_may_not_have_loaded_counts_as_all_changed_and_so_restarts():
    keys = changed_keys(None, {"runtimes": {}})
    assert "runtimes" in keys and keys - RELOADABLE_KEYS


def test_keys_that_only_a_restart_loads_are_not_reloadable():
    assert not {"bridge", "iptables", "default-ulimits", "log-level", "data-root", "mtu", "proxies",
                "features", "hosts"} & RELOADABLE_KEYS


def test_a_shm_size_is_reloaded_but_ulimits_and_mtu_need_a_restart():
    before = {"runtimes": {"nvidia": {}}}
    assert restart_keys(before, {**before, "default-shm-size": "1G"}) == set()
    assert restart_keys(before, {**before, "default-shm-size": "1G", "default-ulimits": {}, "mtu": 1400}) == {
        "default-ulimits", "mtu"}


def test_a_reloadable_key_taken_out_of_the_file_needs_a_restart_since_a_reload_keeps_its_old_value():
    before = {"runtimes": {"nvidia": {}}, "default-shm-size": "1G", "default-runtime": "nvidia", "labels": ["a"]}
    assert restart_keys(before, {"runtimes": {"nvidia": {}}, "labels": ["b"]}) == {"default-shm-size",
                                                                                  "default-runtime"}
    assert restart_keys(before, {**before, "default-shm-size": "2G"}) == set()


def test_a_pending_restart_says_since_why_which_containers_and_how_to_apply_it_now():
    said = pending_message({"since": "2026-12-06 17:30:00 UTC", "why": ["daemon.json's default-ulimits"]},
                           ["train-llm", "notebook"])
    assert "pending since 2026-12-06 17:30:00 UTC" in said and "daemon.json's default-ulimits" in said
    assert "containers running: train-llm, notebook" in said and 'engine_restart = "now"' in said
