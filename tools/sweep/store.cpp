#include "tools/sweep/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/error.h"

namespace einflow::sweep {

namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a varint at `pos`; false when the bytes end first (or it is too long).
bool get_varint(const std::string& in, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return false;
    const auto b = static_cast<unsigned char>(in[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

std::string frame(const Record& r) {
  std::string body;
  if (!r.SerializeToString(&body)) throw InternalError("cannot serialize a result record");
  std::string out;
  put_varint(out, body.size());
  return out + body;
}

void write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw UserError(SourceLoc{path, 0, 0}, std::string("cannot write: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

}  // namespace

StoreContents read_store(const std::string& path) {
  StoreContents c;
  std::ifstream in(path, std::ios::binary);
  if (!in) return c;
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string data = buf.str();
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t start = pos;
    uint64_t len = 0;
    const bool whole = get_varint(data, pos, len) && len <= data.size() - pos;
    Record r;
    if (!whole || !r.ParseFromArray(data.data() + pos, static_cast<int>(len))) {
      const bool last = !whole || pos + len == data.size();
      if (!last)
        throw UserError(SourceLoc{path, 0, 0},
                        "damaged record at byte " + std::to_string(start) +
                            " (not the last one); the store cannot be read safely");
      c.warning = path + ": dropped a truncated last record (" +
                  std::to_string(data.size() - start) + " bytes at byte " + std::to_string(start) +
                  "), left by an interrupted run";
      break;
    }
    pos += len;
    c.records.push_back(std::move(r));
    c.valid_bytes = static_cast<int64_t>(pos);
  }
  return c;
}

StoreWriter::StoreWriter(const std::string& path, int64_t valid_bytes) : m_path(path) {
  m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0)
    throw UserError(SourceLoc{path, 0, 0},
                    std::string("cannot open the store: ") + std::strerror(errno));
  if (::ftruncate(m_fd, valid_bytes) != 0 || ::lseek(m_fd, valid_bytes, SEEK_SET) < 0 ||
      ::fsync(m_fd) != 0) {
    const int err = errno;
    ::close(m_fd);
    throw UserError(SourceLoc{path, 0, 0},
                    std::string("cannot prepare the store: ") + std::strerror(err));
  }
}

StoreWriter::~StoreWriter() {
  if (m_fd >= 0) ::close(m_fd);
}

void StoreWriter::append(const Record& r) {
  const std::string data = frame(r);
  std::lock_guard<std::mutex> lock(m_mutex);
  write_all(m_fd, data, m_path);
  if (::fsync(m_fd) != 0)
    throw UserError(SourceLoc{m_path, 0, 0}, std::string("cannot sync: ") + std::strerror(errno));
}

void write_store(const std::string& path, const std::vector<Record>& records) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw UserError(SourceLoc{tmp, 0, 0}, std::string("cannot create: ") + std::strerror(errno));
  std::string data;
  for (const auto& r : records) data += frame(r);
  try {
    write_all(fd, data, tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0)
    throw UserError(SourceLoc{path, 0, 0}, std::string("cannot write: ") + std::strerror(errno));
}

std::vector<Record> merge_records(const std::vector<std::vector<Record>>& stores) {
  std::vector<Record> out;
  std::set<std::string> seen;
  for (const auto& s : stores)
    for (const auto& r : s)
      if (seen.insert(r.config_hash()).second) out.push_back(r);
  std::stable_sort(out.begin(), out.end(), [](const Record& a, const Record& b) {
    return a.point() != b.point() ? a.point() < b.point() : a.config_hash() < b.config_hash();
  });
  return out;
}

}  // namespace einflow::sweep
