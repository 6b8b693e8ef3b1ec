# Solvers: nnabla's learning-rate schedulers (the solvers' own test, test_solver, is in
# engine.cmake).
sgdi_add_test(test_schedule test_schedule.c LIBS sgdi_solver sgdi_util)
