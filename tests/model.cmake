# Models from .nnp files: load, build, train, describe, save, bad files.
sgdi_add_test(test_model test_model.c LIBS sgdi)
