// batch_pipeline.hpp: the bulk importers' two-thread pipeline. A second
// thread parses (and checks what needs no database) while the calling thread
// writes the batch before; on this 2-core machine JSON and SQLite are each a
// large share of an import, so overlapping them shortens it.
//
// The unit handed over is a ReusedBatch: its slots keep their string buffers
// from batch to batch, so a warm pipeline allocates nothing per record. Two
// batches exist, no more: one being written, one being filled (or waiting),
// so memory stays flat whatever the file's size.
//
// Threads: the Database is used only by the calling thread (SQLite handles
// stay on their connection's thread, as folio's thread contract says); the
// producer touches only its own state and the batch it fills. Progress events
// are queued by the producer and delivered by the calling thread, so the
// caller's callback runs where it always did.
//
// Errors: whatever the producer throws reaches the caller unchanged (same
// type, same message), but only after every batch it shipped before was
// written: a bad record there (seen only by the database checks) comes first
// in the file and wins, as in the one-thread import. An exception on the
// calling thread (a database error, a bad record found by the writer, the
// progress callback) stops the producer at its next record or hand-off, and
// the pipeline's destructor joins it before the caller's transaction rolls
// back.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

#include "folio/blog_io.hpp"

namespace folio::detail {

// A batch also ends at this much record text, so big records (the guide's
// articles reach 10 KB) keep memory flat: a batch's text is held once (the
// objects the parsing thread made of the records, bound without a copy),
// and two batches are in flight.
inline constexpr std::size_t max_batch_bytes = 2 * 1024 * 1024;

// A batch also ends at this many parts: an article's tags. Each costs the
// writing thread a few hundred bytes however short its name (the batch's
// name -> id map, the array bound to the tag statements, its link row), so
// records with many tags (1,000 articles of 100 distinct tags each peaked
// at 170 MB in one batch) are cut into batches of flat memory too. The
// guide's files (1 to 5 tags an article, batches of 2,000) never reach it.
inline constexpr std::size_t max_batch_parts = 20000;

// The records of one bulk batch, in slots reused from batch to batch.
template <class T>
class ReusedBatch {
public:
    explicit ReusedBatch(std::size_t capacity) : slots_(capacity) {}
    T& next() { return slots_[used_++]; }
    // Gives back the slot next() returned last (a record not admitted).
    void drop_last() { --used_; }
    void add_bytes(std::size_t n) { bytes_ += n; }
    void add_parts(std::size_t n) { parts_ += n; }
    bool full() const { return used_ == slots_.size() || bytes_ >= max_batch_bytes || parts_ >= max_batch_parts; }
    bool empty() const { return used_ == 0; }
    std::span<T> items() { return {slots_.data(), used_}; }
    void clear() {
        used_ = 0;
        bytes_ = 0;
        parts_ = 0;
    }

private:
    std::vector<T> slots_;
    std::size_t used_ = 0;
    std::size_t bytes_ = 0;
    std::size_t parts_ = 0;
};

template <class T>
class BatchPipeline {
public:
    // The producer's side, given to `produce` on the second thread.
    class Producer {
    public:
        // The batch to add records to (never full on return from ship()).
        ReusedBatch<T>& batch() { return *p_.filling_; }
        // Hands the batch over when it holds records, then waits for the
        // other one to be free. Throws Cancelled when the caller stopped.
        void ship() { p_.ship(); }
        // Throws Cancelled when the caller stopped: checked per record, so a
        // failed write stops the parse at once, not at the end of a batch.
        void check_stop() const {
            if (p_.stop_.stop_requested()) throw Cancelled{};
        }
        // Queues a progress event for the calling thread.
        void progress(const ImportProgress& p) { p_.post_progress(p); }

    private:
        friend class BatchPipeline;
        explicit Producer(BatchPipeline& p) : p_(p) {}
        BatchPipeline& p_;
    };

    // Starts `produce` on a second thread. It reads the input and fills
    // batches; the batch it holds when it returns is shipped after it.
    BatchPipeline(std::size_t batch_capacity, std::function<void(Producer&)> produce)
        : buffers_{ReusedBatch<T>(batch_capacity), ReusedBatch<T>(batch_capacity)}, filling_(&buffers_[0]),
          free_(&buffers_[1]) {
        thread_ = std::jthread([this, produce = std::move(produce)](std::stop_token stop) {
            stop_ = std::move(stop);
            Producer side(*this);
            std::exception_ptr error;
            try {
                produce(side);
                ship();
            } catch (const Cancelled&) {
            } catch (...) {
                error = std::current_exception();
            }
            {
                const std::lock_guard lock(mutex_);
                finished_ = true;
                error_ = error;
            }
            ready_cv_.notify_all();
        });
    }
    // Stops the producer (if still running) and waits for it.
    ~BatchPipeline() {
        thread_.request_stop();
        thread_.join();
    }
    BatchPipeline(const BatchPipeline&) = delete;
    BatchPipeline& operator=(const BatchPipeline&) = delete;

    // Calling thread: the next batch in file order, or nullptr once the
    // producer is done; the batch returned before is given back (it must be
    // written and cleared by then). Delivers the queued progress events to
    // `on_progress` first. After the last batch, rethrows what the producer
    // threw.
    ReusedBatch<T>* next(const std::function<void(const ImportProgress&)>& on_progress) {
        std::unique_lock lock(mutex_);
        if (writing_ != nullptr) {
            free_ = std::exchange(writing_, nullptr);
            free_cv_.notify_one();
        }
        for (;;) {
            if (!progress_.empty()) {
                std::vector<ImportProgress> events(progress_.begin(), progress_.end());
                progress_.clear();
                lock.unlock();
                if (on_progress)
                    for (const auto& e : events) on_progress(e);
                lock.lock();
                continue;
            }
            if (ready_ != nullptr) {
                writing_ = std::exchange(ready_, nullptr);
                free_cv_.notify_one();
                return writing_;
            }
            if (finished_) {
                if (error_) std::rethrow_exception(error_);
                return nullptr;
            }
            ready_cv_.wait(lock);
        }
    }

private:
    // Thrown on the producer's thread to unwind the parse when the caller
    // stopped; never leaves the pipeline.
    struct Cancelled {};

    void ship() {
        if (filling_->empty()) return;
        std::unique_lock lock(mutex_);
        // The other batch may still wait for the caller (right after the
        // first hand-off, the free one was there at once): at most one ready.
        if (!free_cv_.wait(lock, stop_, [this] { return ready_ == nullptr; })) throw Cancelled{};
        ready_ = std::exchange(filling_, nullptr);
        ready_cv_.notify_one();
        // Both batches are now the caller's: wait until it gives one back.
        if (!free_cv_.wait(lock, stop_, [this] { return free_ != nullptr; })) throw Cancelled{};
        filling_ = std::exchange(free_, nullptr);
    }

    void post_progress(const ImportProgress& p) {
        {
            const std::lock_guard lock(mutex_);
            progress_.push_back(p);
        }
        ready_cv_.notify_one();
    }

    ReusedBatch<T> buffers_[2];
    std::mutex mutex_;
    std::condition_variable ready_cv_;     // the caller waits: a batch, progress or the end
    std::condition_variable_any free_cv_;  // the producer waits: room to ship, a free batch, or a stop
    ReusedBatch<T>* filling_;              // the producer's (no lock: only it touches this)
    ReusedBatch<T>* free_;                 // under mutex_ from here on
    ReusedBatch<T>* ready_ = nullptr;
    ReusedBatch<T>* writing_ = nullptr;
    std::deque<ImportProgress> progress_;
    bool finished_ = false;
    std::exception_ptr error_;
    std::stop_token stop_;  // the producer's; set before it runs
    std::jthread thread_;   // last: joined before the state above goes
};

} // namespace folio::detail
