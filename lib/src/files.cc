#include "ticket/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ticket/text.h"

namespace ticket {
namespace {

std::string cannot(const char* verb, const std::string& what, int err) {
  return std::string("cannot ") + verb + " " + what + ": " + std::strerror(err);
}

}  // namespace

Status replace_file(const std::string& path, std::string_view bytes) {
  std::string temp = path + ".XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) return invalid(cannot("write", quote(path), errno));
  int err = 0;
  if (fchmod(fd, 0644) != 0) err = errno;
  for (size_t done = 0; err == 0 && done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    unlink(temp.c_str());
    return invalid(cannot("write", quote(path), err));
  }
  return {};
}

Result<std::string> read_whole_file(const std::string& path, const std::string& what,
                                    size_t limit) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return invalid(cannot("read", what + " " + quote(path), errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return invalid(what + " " + quote(path) + " is not a regular file");
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return invalid(cannot("read", what + " " + quote(path), err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limit) {
      close(fd);
      return invalid(what + " " + quote(path) + " is larger than " + std::to_string(limit) +
                     " bytes");
    }
  }
  close(fd);
  return out;
}

}  // namespace ticket
