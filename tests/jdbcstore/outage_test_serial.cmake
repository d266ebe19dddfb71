# Read by ctest after the tests discovered in jdbcstore_outage_test: they stop and restart the
# suite's one PostgreSQL server, so no other test may run beside them (ctest -j).
if(jdbcstore_outage_test_TESTS)
  set_tests_properties(${jdbcstore_outage_test_TESTS} PROPERTIES RUN_SERIAL TRUE)
endif()
