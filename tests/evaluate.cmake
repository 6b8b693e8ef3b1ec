# The removal curve (sgd-influence evaluate): dataset subsets, predictions and accuracy, the
# list of removal sizes, influence CSVs read back, and the curve on the bundled breast-cancer
# table (removing the 5 % most harmful rows beats removing 5 % random ones; about a second).
# tests/cli/evaluate.sh runs the command end to end.
sgdi_add_test(test_evaluate test_evaluate.c LIBS sgdi)
