/* Small file system helpers (mkdir -p). */
#ifndef XDPFLEET_UTIL_FS_H
#define XDPFLEET_UTIL_FS_H

/* mkdir -p: creates path and its missing parents with mode; existing ones are fine. */
int fs_mkdir_p(const char *path, unsigned int mode);

#endif
