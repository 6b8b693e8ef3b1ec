# Operators: derivative tests of every op in sgdi_op_table in double precision, and the
# library's float build (shapes, Dropout's mask, float kernels against double loops).
sgdi_add_test(test_ops test_ops.c LIBS sgdi_ops_f64)
target_sources(test_ops PRIVATE test_ops_cases.c test_ops_cases_conv.c test_ops_cases_norm.c test_ops_cases_slice.c) # the case table
sgdi_add_test(test_ops_f32 test_ops_f32.c LIBS sgdi_ops sgdi_util)
sgdi_add_test(test_conv_ref test_conv_ref.c LIBS sgdi_ops_f64)
sgdi_add_test(test_small_gemm test_small_gemm.c LIBS sgdi_ops sgdi_util)
sgdi_add_test(test_bn test_bn.c LIBS sgdi_ops_f64)
