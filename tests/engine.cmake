# Engine: executor, solvers and their adjoints, trainer, estimator, sgdi_run.
sgdi_add_test(test_solver test_solver.c LIBS sgdi_solver sgdi_util)
sgdi_add_test(test_engine test_engine.c LIBS sgdi)
# The executor's adjoints sharing floats by liveness: the same bytes as each its own.
sgdi_add_test(test_exec_liveness test_exec_liveness.c LIBS sgdi)
