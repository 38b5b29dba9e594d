#include "keboola/client/gzip_inflater.hpp"

#include <isa-l/igzip_lib.h>

#include "da/common/error.hpp"

namespace da::connectors::keboola {

struct GzipInflater::State {
  inflate_state stream;
  bool member_ended = false;
  bool started = false;
  char out[1 << 17];
};

namespace {

void start_member(inflate_state& stream) {
  isal_inflate_init(&stream);
  stream.crc_flag = ISAL_GZIP;
}

}  // namespace

GzipInflater::GzipInflater(std::string name)
    : name_(std::move(name)), state_(std::make_unique<State>()) {
  start_member(state_->stream);
}

GzipInflater::~GzipInflater() = default;

void GzipInflater::push(std::string_view data, const std::function<void(std::string_view)>& out) {
  inflate_state& stream = state_->stream;
  stream.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uint32_t>(data.size());
  if (!data.empty()) state_->started = true;
  for (;;) {
    if (state_->member_ended) {
      if (stream.avail_in == 0) return;
      // Another gzip member follows.
      uint8_t* next = stream.next_in;
      uint32_t left = stream.avail_in;
      start_member(stream);
      stream.next_in = next;
      stream.avail_in = left;
      state_->member_ended = false;
    }
    stream.next_out = reinterpret_cast<uint8_t*>(state_->out);
    stream.avail_out = sizeof state_->out;
    int rc = isal_inflate(&stream);
    if (rc < 0 || rc == ISAL_NEED_DICT)
      throw Error(ErrorKind::kSource,
                  "bad gzip data in " + name_ + " (igzip error " + std::to_string(rc) + ")");
    size_t produced = sizeof state_->out - stream.avail_out;
    if (produced > 0) out(std::string_view(state_->out, produced));
    if (stream.block_state == ISAL_BLOCK_FINISH) {
      state_->member_ended = true;
      continue;
    }
    if (stream.avail_in == 0 && stream.avail_out != 0) return;
  }
}

void GzipInflater::finish() const {
  if (state_->started && !state_->member_ended)
    throw Error(ErrorKind::kSource, "the gzip stream of " + name_ + " ended early");
}

}  // namespace da::connectors::keboola
