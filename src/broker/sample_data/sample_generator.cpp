#include "da/sample_data/sample_generator.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "sample_parquet.hpp"
#include "word_lists.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/sample_data/csv_writer.hpp"
#include "da/sample_data/prng.hpp"

namespace da::sample_data {

namespace fs = std::filesystem;
namespace chr = std::chrono;

const std::vector<SampleSize>& sample_sizes() {
  static const std::vector<SampleSize> sizes = {
      {"xs", 50, 30, 10, 500, 50, 100, 30, 3},
      {"s", 500, 100, 30, 10'000, 1'000, 2'000, 500, 12},
      {"m", 5'000, 300, 80, 100'000, 10'000, 20'000, 5'000, 24},
      {"l", 50'000, 1'000, 200, 1'000'000, 100'000, 200'000, 50'000, 36},
  };
  return sizes;
}

const SampleSize& sample_size(const std::string& name) {
  for (const SampleSize& size : sample_sizes()) {
    if (size.name == name) return size;
  }
  throw Error(ErrorKind::kConfig, "unknown sample size '" + name + "' (use xs, s, m or l)");
}

int64_t SampleResult::total_rows() const {
  int64_t total = 0;
  for (const TableOutput& table : tables)
    total += table.rows;
  return total;
}

namespace {

constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kSessionChunkRows = 50'000;
const chr::sys_days kEnd = chr::sys_days{chr::year{2026} / chr::March / 1};

constexpr double kSeasonality[12] = {.70, .75, .85,  .90,  .95,  1.00,
                                     .90, .85, 1.00, 1.10, 1.30, 1.50};
constexpr double kWeekday[7] = {1, 1, 1, 1.05, 1.15, .80, .60};  // Monday first
constexpr double kHours[24] = {2,  1,  1,  1,  1,  2,  4,  8, 14, 18, 20, 19,
                               18, 17, 16, 15, 14, 12, 10, 8, 6,  5,  4,  3};

constexpr double kSegmentWeights[] = {.60, .25, .15};
constexpr std::string_view kSegments[] = {"b2c", "b2b_small", "b2b_enterprise"};
constexpr double kChannelWeights[] = {.20, .22, .18, .12, .12, .08, .08};
constexpr std::string_view kChannels[] = {"email",   "paid_search", "paid_social", "organic_social",
                                          "display", "affiliate",   "retargeting"};
constexpr std::string_view kChannelTitles[] = {
    "Email", "Paid Search", "Paid Social", "Organic Social", "Display", "Affiliate", "Retargeting"};
constexpr double kDeviceWeights[] = {.45, .45, .10};
constexpr std::string_view kDevices[] = {"desktop", "mobile", "tablet"};
constexpr double kBrowserWeights[] = {.64, .19, .08, .07, .02};
constexpr std::string_view kBrowsers[] = {"Chrome", "Safari", "Firefox", "Edge", "Other"};
constexpr double kLeadSourceWeights[] = {.30, .25, .15, .20, .10};
constexpr std::string_view kLeadSources[] = {"newsletter_signup", "contact_form", "demo_request",
                                             "content_download", "webinar_registration"};
constexpr double kLeadStatusWeights[] = {.35, .20, .15, .18, .12};
constexpr std::string_view kLeadStatuses[] = {"new", "contacted", "qualified", "converted", "lost"};
constexpr double kOrderStatusWeights[] = {.58, .15, .10, .04, .08, .05};
constexpr std::string_view kOrderStatuses[] = {"delivered", "shipped",   "confirmed",
                                               "pending",   "cancelled", "returned"};
enum OrderStatus { kDelivered, kShipped, kConfirmed, kPending, kCancelled, kReturned };
constexpr double kOrderChannelWeights[] = {.55, .35, .05, .05};
constexpr std::string_view kOrderChannels[] = {"web", "mobile_app", "phone", "api"};
constexpr double kQuantityWeights[] = {60, 20, 10, 5, 5};
constexpr double kDiscountWeights[] = {50, 20, 15, 10, 5};
constexpr int kDiscounts[] = {0, 5, 10, 15, 20};
constexpr double kMethodWeights[] = {.38, .20, .18, .12, .08, .04};
constexpr std::string_view kMethods[] = {"credit_card",   "debit_card", "paypal",
                                         "bank_transfer", "apple_pay",  "invoice"};
constexpr double kTicketCategoryWeights[] = {.28, .18, .14, .16, .12, .12};
constexpr std::string_view kTicketCategories[] = {"question", "complaint",       "return_request",
                                                  "shipping", "technical_issue", "refund"};
constexpr double kPriorityWeights[] = {.38, .35, .20, .07};
constexpr std::string_view kPriorities[] = {"low", "medium", "high", "critical"};
constexpr std::string_view kOpenStatuses[] = {"open", "in_progress", "waiting_customer"};
constexpr double kTicketChannelWeights[] = {.40, .30, .15, .15};
constexpr std::string_view kTicketChannels[] = {"email", "chat", "phone", "web_form"};
constexpr double kScoreWeights[] = {5, 8, 15, 35, 37};

std::string date_text(chr::sys_days day) {
  return format_date(day);
}

std::string datetime_text(int64_t seconds) {
  int64_t day =
      seconds >= 0 ? seconds / kSecondsPerDay : (seconds - kSecondsPerDay + 1) / kSecondsPerDay;
  int64_t in_day = seconds - day * kSecondsPerDay;
  return fmt::format("{} {:02}:{:02}:{:02}", format_date(chr::sys_days{chr::days{day}}),
                     in_day / 3600, in_day / 60 % 60, in_day % 60);
}

int64_t seconds_of(chr::sys_days day) {
  return day.time_since_epoch().count() * kSecondsPerDay;
}

// Picks an index with probability proportional to its weight, by binary search.
class Cumulative {
 public:
  void add(double weight) { sums_.push_back((sums_.empty() ? 0 : sums_.back()) + weight); }
  size_t pick(Prng& random) const {
    double target = random.uniform(0, sums_.back());
    return std::min<size_t>(std::upper_bound(sums_.begin(), sums_.end(), target) - sums_.begin(),
                            sums_.size() - 1);
  }

 private:
  std::vector<double> sums_;
};

// The generated days [start, end) with their weights: growth, season and day of week.
class Window {
 public:
  explicit Window(int months)
      : start_(kEnd - chr::days{months * 30}), days_((kEnd - start_).count()) {
    for (int64_t i = 0; i < days_; ++i) {
      chr::sys_days day = start_ + chr::days{i};
      chr::year_month_day ymd{day};
      unsigned monday_first = (chr::weekday{day}.c_encoding() + 6) % 7;
      double growth = 1 + 0.5 * static_cast<double>(i) / static_cast<double>(days_);
      weights_.add(growth * kSeasonality[static_cast<unsigned>(ymd.month()) - 1] *
                   kWeekday[monday_first]);
    }
  }

  chr::sys_days start() const { return start_; }
  int64_t days() const { return days_; }
  chr::sys_days weighted_day(Prng& random) const {
    return start_ + chr::days{static_cast<int64_t>(weights_.pick(random))};
  }
  // A moment on a weighted day at a weighted hour.
  int64_t weighted_time(Prng& random) const {
    return seconds_of(weighted_day(random)) + time_of_day(random);
  }
  static int64_t time_of_day(Prng& random) {
    return static_cast<int64_t>(random.weighted(kHours)) * 3600 + random.uniform_int(0, 59) * 60 +
           random.uniform_int(0, 59);
  }

 private:
  chr::sys_days start_;
  int64_t days_;
  Cumulative weights_;
};

struct Customer {
  int segment;
  chr::sys_days registered;
  size_t country;
};

struct Campaign {
  chr::sys_days start;
  chr::sys_days end;
};

struct Order {
  int64_t customer;  // index into customers
  int64_t created;   // seconds since the epoch
  int status;
  double total;
};

std::string id(const char* format, int64_t number) {
  return fmt::format(fmt::runtime(format), number);
}

class Generator {
 public:
  Generator(const SampleSize& size, const SampleOptions& options)
      : size_(size), options_(options), window_(size.months) {
    threads_ =
        options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  }

  SampleResult run() {
    auto started = chr::steady_clock::now();
    std::error_code error;
    fs::create_directories(options_.out, error);
    if (error) throw_system_error("cannot create folder", options_.out.string(), error.value());
    customers();
    products();
    campaigns();
    web_sessions();
    web_leads();
    orders_and_items();
    payments();
    support_tickets();
    result_.start_date = date_text(window_.start());
    result_.end_date = date_text(kEnd);
    write_file_atomically(options_.out / "data_description.md", sample_data_description());
    write_parquet();
    result_.seconds = chr::duration<double>(chr::steady_clock::now() - started).count();
    write_manifest();
    return result_;
  }

 private:
  Prng random(std::string_view stream, uint64_t chunk = 0) const {
    return Prng(options_.seed, stream, chunk);
  }

  // Writes a table's CSV: the header line, then the rows (CRLF line ends).
  void write(const std::string& name, std::string_view header,
             const std::vector<std::string>& parts, int64_t rows) {
    fs::path path = options_.out / (name + ".csv");
    AtomicFileWriter file(path);
    file.write(header);
    file.write("\r\n");
    int64_t bytes = static_cast<int64_t>(header.size()) + 2;
    for (const std::string& part : parts) {
      file.write(part);
      bytes += static_cast<int64_t>(part.size());
    }
    file.commit();
    result_.tables.push_back({name, rows, bytes});
    if (options_.on_table) options_.on_table(name, rows);
  }

  void write(const std::string& name, std::string_view header, CsvWriter& csv) {
    int64_t rows = static_cast<int64_t>(csv.rows());
    write(name, header, {csv.take()}, rows);
  }

  void customers() {
    Prng r = random("customers");
    CsvWriter csv;
    Cumulative countries;
    for (const auto& country : words::kCountries)
      countries.add(country.weight);
    for (int64_t i = 0; i < size_.customers; ++i) {
      const auto& first = r.pick(words::kFirstNames);
      const auto& last = r.pick(words::kLastNames);
      Customer customer{static_cast<int>(r.weighted(kSegmentWeights)), window_.weighted_day(r),
                        countries.pick(r)};
      std::string company;
      std::string email;
      if (customer.segment == 0) {
        email = fmt::format("{}.{}{}@{}", first.ascii, last.ascii, r.uniform_int(1, 99),
                            r.pick(words::kWebmailDomains));
      } else {
        std::string_view word = r.pick(words::kCompanyWords);
        company = fmt::format("{} {} {}", word, r.pick(words::kCompanyWords),
                              r.pick(words::kCompanySuffixes));
        email = fmt::format("{}.{}@{}.com", first.ascii, last.ascii, to_lower(word));
      }
      const auto& country = words::kCountries[customer.country];
      csv.text(id("C-{:06d}", i + 1))
          .text(email)
          .text(first.display)
          .text(last.display)
          .text(company);
      csv.text(country.name).text(country.cities[static_cast<size_t>(r.uniform_int(0, 2))]);
      csv.text(kSegments[customer.segment])
          .text(date_text(customer.registered))
          .integer(r.chance(.85) ? 1 : 0);
      csv.end_row();
      customers_.push_back(customer);
      customer_weights_.add(1 / std::pow(1 - r.uniform(0, 1), 1 / 1.2));  // Pareto(1.2)
    }
    write("customers",
          "customer_id,email,first_name,last_name,company,country,city,segment,registration_date,"
          "is_active",
          csv);
  }

  void products() {
    Prng r = random("products");
    std::vector<std::pair<size_t, std::string>> pool;  // category, name
    for (size_t c = 0; c < std::size(words::kCategories); ++c) {
      for (std::string_view item : words::kCategories[c].items)
        pool.emplace_back(c, std::string(item));
    }
    while (static_cast<int64_t>(pool.size()) < size_.products) {
      size_t c = static_cast<size_t>(r.uniform_int(0, std::size(words::kCategories) - 1));
      std::string_view item =
          words::kCategories[c].items[static_cast<size_t>(r.uniform_int(0, 14))];
      pool.emplace_back(
          c, fmt::format("{} {} - {}", item, r.pick(words::kVariantWords), r.pick(words::kColors)));
    }
    for (size_t i = pool.size(); i > 1; --i)
      std::swap(pool[i - 1],
                pool[static_cast<size_t>(r.uniform_int(0, static_cast<int64_t>(i) - 1))]);
    pool.resize(static_cast<size_t>(size_.products));
    CsvWriter csv;
    for (size_t i = 0; i < pool.size(); ++i) {
      const auto& category = words::kCategories[pool[i].first];
      double price = round_to(r.uniform(category.min_price, category.max_price), 2);
      double cost = price * r.uniform(category.min_cost_ratio, category.max_cost_ratio);
      bool active = r.chance(.90);
      csv.text(id("P-{:05d}", static_cast<int64_t>(i) + 1))
          .text(fmt::format("SKU-{:05d}", r.uniform_int(10000, 99999)));
      csv.text(pool[i].second)
          .text(category.name)
          .money(price)
          .money(cost)
          .number(r.uniform(0.1, 15), 2);
      csv.integer(active ? 1 : 0)
          .text(date_text(window_.start() - chr::days{r.uniform_int(0, 365)}));
      csv.end_row();
      prices_.push_back(price);
      if (active) active_products_.push_back(i);
    }
    if (active_products_.empty()) active_products_.push_back(0);
    write("products", "product_id,sku,name,category,price,cost,weight_kg,is_active,created_at",
          csv);
  }

  void campaigns() {
    Prng r = random("campaigns");
    CsvWriter csv;
    active_campaigns_.assign(static_cast<size_t>(window_.days()), {});
    for (int64_t i = 0; i < size_.campaigns; ++i) {
      size_t channel = r.weighted(kChannelWeights);
      chr::sys_days start =
          window_.start() + chr::days{r.uniform_int(0, std::max<int64_t>(0, window_.days() - 8))};
      chr::sys_days end = std::min(start + chr::days{r.uniform_int(7, 60)}, kEnd - chr::days{1});
      double budget = round_to(r.uniform(500, 25000), 2);
      bool past = end < kEnd - chr::days{7};
      std::string_view status = past ? "completed" : (r.chance(.8) ? "active" : "paused");
      double spend =
          past ? std::min(budget, budget * r.uniform(.60, 1.10)) : budget * r.uniform(.20, .70);
      int64_t impressions = static_cast<int64_t>(spend * r.uniform(80, 500));
      int64_t clicks =
          static_cast<int64_t>(static_cast<double>(impressions) * r.uniform(.005, .08));
      int year = static_cast<int>(chr::year_month_day{start}.year());
      csv.text(id("CMP-{:04d}", i + 1));
      csv.text(fmt::format("{} - {} {}", r.pick(words::kCampaignTemplates), kChannelTitles[channel],
                           year));
      csv.text(kChannels[channel])
          .text(status)
          .money(budget)
          .money(spend)
          .integer(impressions)
          .integer(clicks);
      csv.text(date_text(start))
          .text(date_text(end))
          .text(r.chance(.3) ? "all" : kSegments[r.weighted(kSegmentWeights)]);
      csv.end_row();
      for (chr::sys_days day = start; day <= end; day += chr::days{1}) {
        active_campaigns_[static_cast<size_t>((day - window_.start()).count())].push_back(
            static_cast<int>(i));
      }
    }
    write("campaigns",
          "campaign_id,name,channel,status,budget,spend,impressions,clicks,start_date,end_date,"
          "target_segment",
          csv);
  }

  // With `probability`, a random customer's id, else NULL.
  void maybe_customer(CsvWriter& csv, Prng& r, double probability) const {
    if (r.chance(probability)) {
      csv.text(id("C-{:06d}", r.uniform_int(1, size_.customers)));
    } else {
      csv.empty();
    }
  }

  // With `probability`, one of the campaigns running on `day`, else NULL.
  void maybe_campaign(CsvWriter& csv, Prng& r, chr::sys_days day, double probability) const {
    const auto& active = active_campaigns_[static_cast<size_t>((day - window_.start()).count())];
    if (!active.empty() && r.chance(probability)) {
      int64_t pick = r.uniform_int(0, static_cast<int64_t>(active.size()) - 1);
      csv.text(id("CMP-{:04d}", active[static_cast<size_t>(pick)] + 1));
    } else {
      csv.empty();
    }
  }

  std::string session_chunk(uint64_t chunk, int64_t first, int64_t count) const {
    Prng r = random("web_sessions", chunk);
    CsvWriter csv;
    Cumulative countries;
    for (const auto& country : words::kCountries)
      countries.add(country.weight);
    int64_t visitors = std::max<int64_t>(1, size_.web_sessions / 3);
    for (int64_t i = first; i < first + count; ++i) {
      chr::sys_days day = window_.weighted_day(r);
      int64_t started = seconds_of(day) + Window::time_of_day(r);
      csv.text(id("S-{:08d}", i + 1)).text(id("V-{:08d}", r.uniform_int(1, visitors)));
      maybe_customer(csv, r, .40);
      maybe_campaign(csv, r, day, .25);
      bool bounce = r.chance(.35);
      csv.text(datetime_text(started))
          .integer(bounce ? r.uniform_int(5, 30) : r.uniform_int(30, 900));
      csv.integer(bounce ? 1 : r.uniform_int(2, 15)).text(kDevices[r.weighted(kDeviceWeights)]);
      csv.text(kBrowsers[r.weighted(kBrowserWeights)])
          .text(words::kCountries[countries.pick(r)].name);
      csv.text(r.pick(words::kLandingPages)).integer(bounce ? 1 : 0);
      csv.end_row();
    }
    return csv.take();
  }

  // Sessions are the biggest table: chunks of rows, each with its own random stream, are made
  // on every core and written in order, so the bytes do not depend on the thread count.
  void web_sessions() {
    int64_t chunks = (size_.web_sessions + kSessionChunkRows - 1) / kSessionChunkRows;
    std::vector<std::string> parts(static_cast<size_t>(chunks));
    std::atomic<int64_t> next{0};
    {
      std::vector<std::jthread> workers;
      for (unsigned t = 0; t < std::min<int64_t>(threads_, chunks); ++t) {
        workers.emplace_back([&] {
          for (int64_t chunk = next++; chunk < chunks; chunk = next++) {
            int64_t first = chunk * kSessionChunkRows;
            parts[static_cast<size_t>(chunk)] =
                session_chunk(static_cast<uint64_t>(chunk), first,
                              std::min(kSessionChunkRows, size_.web_sessions - first));
          }
        });
      }
    }
    write("web_sessions",
          "session_id,visitor_id,customer_id,campaign_id,started_at,duration_seconds,pages_viewed,"
          "device_type,"
          "browser,country,landing_page,is_bounce",
          parts, size_.web_sessions);
  }

  void web_leads() {
    Prng r = random("web_leads");
    CsvWriter csv;
    for (int64_t i = 0; i < size_.web_leads; ++i) {
      const auto& first = r.pick(words::kFirstNames);
      const auto& last = r.pick(words::kLastNames);
      chr::sys_days day = window_.weighted_day(r);
      int64_t created = seconds_of(day) + Window::time_of_day(r);
      size_t status = r.weighted(kLeadStatusWeights);
      csv.text(id("L-{:06d}", i + 1));
      maybe_customer(csv, r, .55);
      csv.text(fmt::format("{}.{}{}@{}", first.ascii, last.ascii, r.uniform_int(1, 999),
                           r.pick(words::kWebmailDomains)));
      csv.text(kLeadSources[r.weighted(kLeadSourceWeights)]);
      maybe_campaign(csv, r, day, .40);
      csv.text(datetime_text(created)).text(kLeadStatuses[status]);
      if (kLeadStatuses[status] == "converted") {
        csv.text(datetime_text(
            std::min(created + r.uniform_int(3600, 14 * kSecondsPerDay), seconds_of(kEnd) - 1)));
      } else {
        csv.empty();
      }
      csv.end_row();
    }
    write("web_leads",
          "lead_id,customer_id,email,source,campaign_id,created_at,status,converted_at", csv);
  }

  void orders_and_items() {
    Prng r = random("orders");
    int64_t end_seconds = seconds_of(kEnd);
    for (int64_t i = 0; i < size_.orders; ++i) {
      int64_t customer = static_cast<int64_t>(customer_weights_.pick(r));
      int64_t from = seconds_of(customers_[static_cast<size_t>(customer)].registered);
      orders_.push_back({customer, r.uniform_int(from, end_seconds - 1),
                         static_cast<int>(r.weighted(kOrderStatusWeights)), 0});
    }
    // Order ids follow time, as a shop's would.
    std::stable_sort(orders_.begin(), orders_.end(),
                     [](const Order& a, const Order& b) { return a.created < b.created; });
    CsvWriter items;
    CsvWriter orders;
    int64_t item_id = 0;
    orders_by_customer_.assign(customers_.size(), {});
    for (size_t i = 0; i < orders_.size(); ++i) {
      Order& order = orders_[i];
      int segment = customers_[static_cast<size_t>(order.customer)].segment;
      int max_items = segment == 0 ? 5 : 8;
      std::vector<double> count_weights;
      for (int n = max_items; n >= 1; --n)
        count_weights.push_back(n);
      int item_count = static_cast<int>(r.weighted(count_weights)) + 1;
      double items_total = 0;
      for (int k = 0; k < item_count; ++k) {
        size_t product = active_products_[static_cast<size_t>(
            r.uniform_int(0, static_cast<int64_t>(active_products_.size()) - 1))];
        int64_t quantity = static_cast<int64_t>(r.weighted(kQuantityWeights)) + 1;
        if (segment == 2) quantity *= r.uniform_int(1, 5);
        int discount = kDiscounts[r.weighted(kDiscountWeights)];
        double line =
            round_to(prices_[product] * static_cast<double>(quantity) * (1 - discount / 100.0), 2);
        items_total += line;
        items.text(id("OI-{:08d}", ++item_id)).text(id("ORD-{:07d}", static_cast<int64_t>(i) + 1));
        items.text(id("P-{:05d}", static_cast<int64_t>(product) + 1))
            .integer(quantity)
            .money(prices_[product]);
        items.integer(discount).money(line).end_row();
      }
      items_total = round_to(items_total, 2);
      double discount_amount = round_to(items_total * r.uniform(0, .05), 2);
      double shipping = items_total < 100 ? round_to(r.uniform(0, 15.99), 2) : 0;
      order.total = round_to(items_total - discount_amount + shipping, 2);
      orders.text(id("ORD-{:07d}", static_cast<int64_t>(i) + 1))
          .text(id("C-{:06d}", order.customer + 1));
      orders.text(datetime_text(order.created))
          .text(kOrderStatuses[order.status])
          .money(items_total);
      orders.money(discount_amount).money(shipping).money(order.total);
      orders.text(kOrderChannels[r.weighted(kOrderChannelWeights)]).end_row();
      orders_by_customer_[static_cast<size_t>(order.customer)].push_back(static_cast<int64_t>(i));
    }
    write("orders",
          "order_id,customer_id,created_at,status,items_total,discount_amount,shipping_amount,"
          "total_amount,channel",
          orders);
    write("order_items",
          "order_item_id,order_id,product_id,quantity,unit_price,discount_percent,line_total",
          items);
  }

  void payments() {
    Prng r = random("payments");
    CsvWriter csv;
    int64_t payment_id = 0;
    int64_t end_seconds = seconds_of(kEnd) - 1;
    for (size_t i = 0; i < orders_.size(); ++i) {
      const Order& order = orders_[i];
      bool b2b = customers_[static_cast<size_t>(order.customer)].segment != 0;
      std::string_view method = b2b && r.chance(.40) ? (r.chance(.5) ? "bank_transfer" : "invoice")
                                                     : kMethods[r.weighted(kMethodWeights)];
      auto row = [&](std::string_view status, int64_t created, std::optional<int64_t> completed) {
        csv.text(id("PAY-{:07d}", ++payment_id))
            .text(id("ORD-{:07d}", static_cast<int64_t>(i) + 1));
        csv.text(id("C-{:06d}", order.customer + 1))
            .money(order.total)
            .text("EUR")
            .text(method)
            .text(status);
        csv.text(datetime_text(created));
        if (completed) {
          csv.text(datetime_text(std::min(*completed, end_seconds)));
        } else {
          csv.empty();
        }
        csv.end_row();
      };
      int64_t paid = std::min(order.created + r.uniform_int(10, 1800), end_seconds);
      if (r.chance(.05))
        row("failed", std::max(order.created, paid - r.uniform_int(60, 600)), std::nullopt);
      if (order.status == kCancelled) {
        row("cancelled", paid, std::nullopt);
      } else if (order.status == kReturned) {
        row("refunded", paid, paid + r.uniform_int(kSecondsPerDay, 14 * kSecondsPerDay));
      } else {
        row("completed", paid, paid + r.uniform_int(60, 3 * kSecondsPerDay));
      }
    }
    write("payments",
          "payment_id,order_id,customer_id,amount,currency,method,status,created_at,completed_at",
          csv);
  }

  void support_tickets() {
    Prng r = random("support_tickets");
    CsvWriter csv;
    int64_t end_seconds = seconds_of(kEnd) - 1;
    for (int64_t i = 0; i < size_.support_tickets; ++i) {
      int64_t customer = r.uniform_int(0, static_cast<int64_t>(customers_.size()) - 1);
      const auto& own_orders = orders_by_customer_[static_cast<size_t>(customer)];
      std::optional<int64_t> order;
      if (!own_orders.empty() && r.chance(.60)) {
        order = own_orders[static_cast<size_t>(
            r.uniform_int(0, static_cast<int64_t>(own_orders.size()) - 1))];
      }
      int64_t earliest = order ? orders_[static_cast<size_t>(*order)].created
                               : seconds_of(customers_[static_cast<size_t>(customer)].registered);
      int64_t created = std::max(earliest, window_.weighted_time(r));
      created = std::min(created, end_seconds - kSecondsPerDay);
      size_t category = r.weighted(kTicketCategoryWeights);
      bool resolved = r.chance(.75);
      std::string_view status =
          resolved ? (r.chance(.6) ? "closed" : "resolved") : r.pick(kOpenStatuses);
      csv.text(id("TKT-{:06d}", i + 1)).text(id("C-{:06d}", customer + 1));
      if (order) {
        csv.text(id("ORD-{:07d}", *order + 1));
      } else {
        csv.empty();
      }
      csv.text(kTicketCategories[category])
          .text(kPriorities[r.weighted(kPriorityWeights)])
          .text(status);
      csv.text(kTicketChannels[r.weighted(kTicketChannelWeights)]);
      csv.text(words::kTicketSubjects[category][static_cast<size_t>(r.uniform_int(0, 5))]);
      csv.text(datetime_text(created));
      int64_t first_response = std::min(created + r.uniform_int(300, 48 * 3600), end_seconds);
      if (status != "open") {
        csv.text(datetime_text(first_response));
      } else {
        csv.empty();
      }
      if (resolved) {
        csv.text(datetime_text(std::min(
            first_response + r.uniform_int(kSecondsPerDay, 14 * kSecondsPerDay), end_seconds)));
        csv.integer(static_cast<int64_t>(r.weighted(kScoreWeights)) + 1);
      } else {
        csv.empty().empty();
      }
      csv.end_row();
    }
    write("support_tickets",
          "ticket_id,customer_id,order_id,category,priority,status,channel,subject,created_at,"
          "first_response_at,"
          "resolved_at,satisfaction_score",
          csv);
  }

  void write_parquet() const {
    if (options_.format == "both")
      write_sample_parquet(result_, options_.out, options_.out / "parquet");
    if (options_.format != "parquet") return;
    write_sample_parquet(result_, options_.out, options_.out);
    for (const TableOutput& table : result_.tables)
      fs::remove(options_.out / (table.name + ".csv"));
  }

  void write_manifest() const {
    nlohmann::ordered_json tables = nlohmann::ordered_json::object();
    for (const TableOutput& table : result_.tables)
      tables[table.name] = table.rows;
    nlohmann::ordered_json manifest = {
        {"generator", "da sample-data"},
        {"size", size_.name},
        {"format", options_.format},
        {"seed", options_.seed},
        {"date_range", {{"start", result_.start_date}, {"end", result_.end_date}}},
        {"tables", tables},
        {"total_rows", result_.total_rows()},
        {"elapsed_seconds", std::round(result_.seconds * 1000) / 1000}};
    write_file_atomically(options_.out / "_manifest.json", manifest.dump(2) + "\n");
  }

  const SampleSize& size_;
  const SampleOptions& options_;
  Window window_;
  unsigned threads_;
  SampleResult result_;
  std::vector<Customer> customers_;
  Cumulative customer_weights_;
  std::vector<double> prices_;
  std::vector<size_t> active_products_;
  std::vector<std::vector<int>> active_campaigns_;  // campaign indexes per window day
  std::vector<Order> orders_;
  std::vector<std::vector<int64_t>> orders_by_customer_;
};

}  // namespace

SampleResult generate_sample_data(const SampleOptions& options) {
  if (options.format != "csv" && options.format != "parquet" && options.format != "both")
    throw Error(ErrorKind::kConfig,
                "unknown sample format '" + options.format + "' (use csv, parquet or both)");
  return Generator(sample_size(options.size), options).run();
}

}  // namespace da::sample_data
