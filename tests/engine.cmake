# Engine: executor, solvers and their adjoints, trainer, estimator, sgdi_run.
sgdi_add_test(test_solver test_solver.c LIBS sgdi_solver sgdi_util)
sgdi_add_test(test_engine test_engine.c LIBS sgdi)
