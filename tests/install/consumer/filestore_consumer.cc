// Uses hastore::filestore alone: looks for file stores in a directory that does not exist.
#include <hastore/filestore/inspect.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  auto instances = hastore::FindFileStoreInstances(argv[1]);
  if (instances.ok()) return 1;
  std::printf("ok filestore: %s\n", instances.status().ToString().c_str());
  return 0;
}
