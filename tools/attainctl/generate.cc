// `attainctl demo generate --out DIR`: realistic CSV exports of the demo
// organisation's activity (the reps, teams and product lines of `demo load`),
// one file per kind that `attainctl ingest` reads. Deterministic for a seed:
// the generator uses its own random number generator and no library
// distributions, so the files are the same on every platform.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/money.h"
#include "nlohmann/json.hpp"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"

namespace attain::ctl {
namespace {

constexpr char kOffset[] = "+08:00";  // Asia/Shanghai

const char* const kRepIds[] = {"rep-e1-1", "rep-e1-2", "rep-e1-3", "rep-e2-1",
                               "rep-e2-2", "rep-e2-3", "rep-n1-1", "rep-n1-2",
                               "rep-n1-3", "rep-n2-1", "rep-n2-2", "rep-n2-3"};
const char* const kRegions[] = {"east", "north"};
const char* const kProductLines[] = {"a", "b", "c"};

// splitmix64: small, fast and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // True with probability percent/100.
  bool Chance(int percent) { return Between(0, 99) < percent; }
  template <typename T, std::size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Next() % N];
  }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Next() % items.size()];
  }

 private:
  uint64_t state_;
};

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// "2026-10-05T14:30:00+08:00"
std::string Instant(absl::CivilSecond t) { return absl::StrCat(absl::FormatCivilTime(t), kOffset); }

bool IsWeekend(absl::CivilDay d) {
  const absl::Weekday w = absl::GetWeekday(d);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

// A CSV file being written: quotes fields that need it.
class CsvOut {
 public:
  CsvOut(const std::string& path, std::vector<std::string> header)
      : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
    Row(header);
    rows_ = 0;
  }
  bool ok() const { return static_cast<bool>(out_); }
  void Row(const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out_ << ',';
      const std::string& f = fields[i];
      if (f.find_first_of(",\"\n\r") != std::string::npos || (!f.empty() && f.front() == ' ')) {
        out_ << '"';
        for (char c : f) out_ << (c == '"' ? "\"\"" : std::string(1, c));
        out_ << '"';
      } else {
        out_ << f;
      }
    }
    out_ << '\n';
    ++rows_;
  }
  int rows() const { return rows_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
  int rows_ = 0;
};

std::string Money(int64_t minor) { return FormatMinorUnits(minor); }

struct Customer {
  std::string id;
  std::string rep;
  char grade;  // 'A', 'B', 'C'
};

class Generator {
 public:
  Generator(std::string dir, int reps, int customers, int days, absl::CivilDay start, uint64_t seed)
      : dir_(std::move(dir)),
        reps_(kRepIds, kRepIds + reps),
        customer_count_(customers),
        start_(start),
        end_(start + (days - 1)),
        rng_(seed) {}

  // The files written and their row counts (without the header).
  std::vector<std::pair<std::string, int>> Run() {
    Customers();
    OrdersPaymentsReceivables();
    FollowUpsAndOpportunities();
    Surveys();
    Ratings();
    Knowledge();
    Reports();
    return written_;
  }

 private:
  std::string Path(const char* name) const { return absl::StrCat(dir_, "/", name); }
  void Done(const CsvOut& f) { written_.emplace_back(f.path(), f.rows()); }

  // A time of day in office hours on `d`.
  absl::CivilSecond OfficeTime(absl::CivilDay d) {
    return absl::CivilSecond(d.year(), d.month(), d.day(), static_cast<int>(rng_.Between(9, 17)),
                             static_cast<int>(rng_.Between(0, 59)),
                             static_cast<int>(rng_.Between(0, 59)));
  }

  absl::CivilDay RandomDay(absl::CivilDay from, absl::CivilDay to) {
    if (to < from) return from;
    return from + rng_.Between(0, to - from);
  }

  void Customers() {
    static const char* const kCities[] = {"上海", "杭州", "苏州", "南京",   "宁波", "北京",
                                          "天津", "济南", "青岛", "石家庄", "无锡", "合肥"};
    static const char* const kWords[] = {"华信", "恒通",   "瑞丰", "中联", "博远", "金鼎",
                                         "宏达", "新纪元", "永盛", "天成", "嘉禾", "鼎力"};
    static const char* const kIndustries[] = {"制造", "零售", "物流", "医药", "能源", "教育"};
    static const char* const kSuffix[] = {"精密机械", "商贸",     "供应链管理",
                                          "医药科技", "能源设备", "教育科技"};
    CsvOut f(Path("customers.csv"), {"event_id", "occurred_at", "customer_id", "version",
                                     "full_name", "industry", "grade", "tier", "owner_rep_id"});
    const int64_t name_offset = rng_.Between(0, 863);
    for (int i = 1; i <= customer_count_; ++i) {
      Customer c;
      c.id = absl::StrFormat("cust-%04d", i);
      c.rep = reps_[static_cast<std::size_t>(i - 1) % reps_.size()];
      const int64_t g = rng_.Between(0, 99);
      c.grade = g < 15 ? 'A' : g < 50 ? 'B' : 'C';
      // A distinct name for each of the first 864 customers (city × word ×
      // business), then branch offices.
      constexpr int kNames = 12 * 12 * 6;
      const int combo =
          static_cast<int>((static_cast<int64_t>(i - 1) * 331 + name_offset) % kNames);
      const std::size_t k = static_cast<std::size_t>(combo % 6);
      std::string full_name =
          absl::StrCat(kCities[combo / 72], kWords[(combo / 6) % 12], kSuffix[k], "有限公司");
      if (i > kNames) absl::StrAppend(&full_name, "第", (i - 1) / kNames + 1, "分公司");
      auto tier = [&](char grade) -> std::string {
        if (grade == 'A') return rng_.Chance(70) ? "key_account" : "growth";
        if (grade == 'B') return rng_.Chance(75) ? "growth" : "potential";
        return rng_.Chance(90) ? "potential" : "growth";
      };
      const absl::CivilSecond created = OfficeTime(start_ - rng_.Between(30, 700));
      f.Row({absl::StrCat("customer-", c.id, "-v1"), Instant(created), c.id, "1", full_name,
             kIndustries[k], std::string(1, c.grade), tier(c.grade), c.rep});
      // Some customers are regraded during the period (a new version).
      if (rng_.Chance(10)) {
        const char before = c.grade;
        c.grade = before == 'A' ? 'B' : before == 'B' ? (rng_.Chance(50) ? 'A' : 'C') : 'B';
        const absl::CivilSecond changed = OfficeTime(RandomDay(start_ + 7, end_));
        f.Row({absl::StrCat("customer-", c.id, "-v2"), Instant(changed), c.id, "2", full_name,
               kIndustries[k], std::string(1, c.grade), tier(c.grade), c.rep});
      }
      customers_.push_back(c);
      by_rep_[c.rep].push_back(customers_.size() - 1);
    }
    Done(f);
  }

  const Customer& CustomerOf(const std::string& rep) {
    auto it = by_rep_.find(rep);
    if (it == by_rep_.end() || it->second.empty()) return rng_.Pick(customers_);
    return customers_[rng_.Pick(it->second)];
  }

  void OrdersPaymentsReceivables() {
    CsvOut orders(Path("orders.csv"), {"event_id", "occurred_at", "order_id", "version",
                                       "customer_id", "rep_id", "product_line_id", "amount",
                                       "gross_profit", "currency", "status", "signed_date"});
    CsvOut payments(Path("payments.csv"),
                    {"event_id", "occurred_at", "payment_id", "order_id", "customer_id", "rep_id",
                     "amount", "currency", "received_date"});
    CsvOut receivables(Path("receivables.csv"),
                       {"event_id", "occurred_at", "receivable_id", "version", "order_id",
                        "customer_id", "rep_id", "amount_due", "currency", "due_date"});
    int n = 0;
    for (std::size_t r = 0; r < reps_.size(); ++r) {
      const std::string& rep = reps_[r];
      // Reps differ: a steady few sell more than the rest.
      const int skill = 10 + static_cast<int>((r * 7 + 3) % 12) * 2;  // % chance per workday
      for (absl::CivilDay d = start_; d <= end_; ++d) {
        if (IsWeekend(d) || !rng_.Chance(skill)) continue;
        const Customer& c = CustomerOf(rep);
        const std::string id = absl::StrFormat("SO-%06d", ++n);
        const char* pl = rng_.Pick(kProductLines);
        int64_t amount = 0;
        if (pl[0] == 'a') amount = rng_.Between(20'000, 90'000) * 100;
        if (pl[0] == 'b') amount = rng_.Between(40'000, 220'000) * 100;
        if (pl[0] == 'c') amount = rng_.Between(5'000, 30'000) * 100;
        if (c.grade == 'A') amount *= 2;
        if (rng_.Chance(1)) amount *= 8;  // now and then a special contribution
        const int margin = static_cast<int>(rng_.Between(12, 38));
        absl::CivilSecond t = OfficeTime(d);
        int version = 1;
        auto order = [&](const std::string& status) {
          const int64_t profit = amount * margin / 100;
          orders.Row({absl::StrCat(id, "-v", version), Instant(t), id, absl::StrCat(version), c.id,
                      rep, pl, Money(amount), Money(profit), "CNY", status, Day(d)});
        };
        order("signed");
        const std::string rid = absl::StrCat("AR-", id.substr(3));
        int rversion = 1;
        const absl::CivilDay due = d + (c.grade == 'C' ? 30 : 60);
        auto receivable = [&](int64_t due_amount, absl::CivilSecond at) {
          receivables.Row({absl::StrCat(rid, "-v", rversion), Instant(at), rid,
                           absl::StrCat(rversion), id, c.id, rep, Money(due_amount), "CNY",
                           Day(due)});
        };
        receivable(amount, t + 3600);
        const absl::CivilDay last = end_;
        // What happens next: cancelled, amended, won, collected.
        if (rng_.Chance(6)) {
          const absl::CivilDay when = d + rng_.Between(1, 20);
          if (when <= last) {
            t = OfficeTime(when);
            ++version;
            order("cancelled");
            ++rversion;
            receivable(0, t + 600);
          }
          continue;
        }
        if (rng_.Chance(20)) {
          const absl::CivilDay when = d + rng_.Between(1, 10);
          if (when <= last) {
            t = OfficeTime(when);
            ++version;
            amount = amount * rng_.Between(85, 125) / 100;
            order("signed");
            ++rversion;
            receivable(amount, t + 600);
          }
        }
        absl::CivilDay won = absl::CivilDay(t) + rng_.Between(3, 20);
        if (won > last) continue;
        t = OfficeTime(won);
        ++version;
        order("closed_won");
        // Payments: most in one go, some in two instalments, some late or never.
        if (!rng_.Chance(85)) continue;
        absl::CivilDay paid = won + rng_.Between(3, 35);
        const bool split = rng_.Chance(25);
        int64_t remaining = amount;
        for (int k = 1; k <= (split ? 2 : 1) && paid <= last; ++k) {
          const int64_t part = (split && k == 1) ? amount * 30 / 100 : remaining;
          remaining -= part;
          const std::string pid = absl::StrCat("PAY-", id.substr(3), "-", k);
          payments.Row(
              {pid, Instant(OfficeTime(paid)), pid, id, c.id, rep, Money(part), "CNY", Day(paid)});
          if (remaining == 0) {
            t = OfficeTime(paid) + 7200;
            ++version;
            order("collected");
          }
          paid = paid + rng_.Between(10, 30);
        }
      }
    }
    Done(orders);
    Done(payments);
    Done(receivables);
  }

  void FollowUpsAndOpportunities() {
    static const char* const kMethods[] = {"phone", "phone", "visit", "visit", "email", "video"};
    static const char* const kContent[] = {
        "客户反馈交付周期偏长，希望缩短到两周 (wants shorter delivery)",
        "确认了二期采购需求，预算待审批 (need confirmed, budget pending)",
        "对价格有异议，竞品报价低 8% (price objection vs. competitor)",
        "介绍了新版产品功能，客户有兴趣试用 (interested in a trial)",
        "回访售后问题，已解决，满意度高 (after-sales issue solved)",
        "讨论年度框架合同条款 (framework contract terms)",
        "客户决策人变更，需要重新建立关系 (new decision maker)",
    };
    static const char* const kNext[] = {"发送报价单", "安排技术交流", "提交方案", "跟进合同审批",
                                        "安排高层拜访"};
    CsvOut f(Path("follow-ups.csv"),
             {"event_id", "occurred_at", "follow_up_id", "customer_id", "rep_id", "contact_time",
              "method", "content", "next_action", "next_action_date", "new_stage"});
    int n = 0;
    for (const Customer& c : customers_) {
      // Interval by grade (A weekly, B fortnightly, C monthly) with some
      // overdue gaps and some too-frequent contacts.
      int lo = 5, hi = 9;
      if (c.grade == 'B') lo = 10, hi = 18;
      if (c.grade == 'C') lo = 20, hi = 38;
      absl::CivilDay d = start_ + rng_.Between(0, hi - 1);
      while (d <= end_) {
        if (IsWeekend(d)) d += (absl::GetWeekday(d) == absl::Weekday::saturday ? 2 : 1);
        if (d > end_) break;
        const absl::CivilSecond contact = OfficeTime(d);
        // Recorded within a few hours, sometimes the next day, some late (> 24 h).
        int64_t delay = rng_.Between(600, 6 * 3600);
        if (rng_.Chance(12)) delay = rng_.Between(8 * 3600, 22 * 3600);
        if (rng_.Chance(8)) delay = rng_.Between(26 * 3600, 96 * 3600);
        const std::string id = absl::StrFormat("FU-%06d", ++n);
        const bool content = rng_.Chance(88);
        const bool next = content && rng_.Chance(70);
        f.Row({id, Instant(contact + delay), id, c.id, c.rep, Instant(contact), rng_.Pick(kMethods),
               content ? rng_.Pick(kContent) : "", next ? rng_.Pick(kNext) : "",
               next ? Day(d + rng_.Between(2, 14)) : "", ""});
        int gap = static_cast<int>(rng_.Between(lo, hi));
        if (rng_.Chance(7)) gap = static_cast<int>(rng_.Between(1, 2));        // too frequent
        if (rng_.Chance(8)) gap = static_cast<int>(rng_.Between(hi, hi * 2));  // overdue
        d += gap;
      }
    }

    static const char* const kStages[] = {"lead",     "initial_contact", "need_confirmed",
                                          "proposal", "negotiation",     "won"};
    CsvOut o(Path("opportunities.csv"),
             {"event_id", "occurred_at", "opportunity_id", "version", "customer_id", "rep_id",
              "product_line_id", "stage", "amount", "currency", "created_date", "closed_date"});
    int m = 0;
    for (const std::string& rep : reps_) {
      const int count = static_cast<int>(rng_.Between(4, 10));
      for (int i = 0; i < count; ++i) {
        const Customer& c = CustomerOf(rep);
        const std::string id = absl::StrFormat("OPP-%05d", ++m);
        const char* pl = rng_.Pick(kProductLines);
        const int64_t amount = rng_.Between(50, 800) * 100'000;
        const absl::CivilDay created = RandomDay(start_, end_ - 5);
        absl::CivilDay d = created;
        // How far it gets: 0 lead … 5 won; some are lost on the way.
        const int reach = static_cast<int>(rng_.Between(0, 5));
        const bool lost = reach < 5 && rng_.Chance(30);
        int version = 0;
        auto row = [&](const std::string& stage, bool closed) {
          ++version;
          o.Row({absl::StrCat(id, "-v", version), Instant(OfficeTime(d)), id, absl::StrCat(version),
                 c.id, rep, pl, stage, Money(amount), "CNY", Day(created), closed ? Day(d) : ""});
        };
        for (int s = 0; s <= reach; ++s) {
          if (d > end_) break;
          row(kStages[s], s == 5);
          // The follow-up that moved it (with the new stage).
          if (s > 0) {
            const std::string fid = absl::StrFormat("FU-OPP-%05d-%d", m, s);
            const absl::CivilSecond contact = OfficeTime(d);
            f.Row({fid, Instant(contact + 1800), fid, c.id, rep, Instant(contact), "visit",
                   absl::StrCat("推进商机 ", id, " (opportunity moved on)"), "", "", kStages[s]});
          }
          d += rng_.Between(3, 15);
        }
        if (lost && d <= end_) row("lost", true);
      }
    }
    Done(f);
    Done(o);
  }

  void Surveys() {
    CsvOut f(Path("surveys.csv"),
             {"event_id", "occurred_at", "survey_id", "customer_id", "rep_id", "score"});
    int n = 0;
    for (const Customer& c : customers_) {
      if (!rng_.Chance(35)) continue;
      const std::string id = absl::StrFormat("SV-%05d", ++n);
      int64_t score = rng_.Between(70, 100);
      if (rng_.Chance(10)) score = rng_.Between(30, 69);
      f.Row(
          {id, Instant(OfficeTime(RandomDay(start_, end_))), id, c.id, c.rep, absl::StrCat(score)});
    }
    Done(f);
  }

  void Ratings() {
    static const char* const kDepartments[] = {"marketing", "finance", "delivery"};
    CsvOut f(Path("ratings.csv"),
             {"event_id", "occurred_at", "rating_id", "rep_id", "department", "rating"});
    int n = 0;
    for (absl::CivilMonth month(start_); absl::CivilDay(month) <= end_; ++month) {
      for (const std::string& rep : reps_) {
        for (const char* dept : kDepartments) {
          if (!rng_.Chance(80)) continue;
          const std::string id = absl::StrFormat("RT-%05d", ++n);
          int64_t rating = rng_.Between(3, 5);
          if (rng_.Chance(8)) rating = rng_.Between(1, 2);
          const absl::CivilDay last_day = absl::CivilDay(month + 1) - 1;
          f.Row({id,
                 Instant(OfficeTime(
                     RandomDay(std::max(absl::CivilDay(month), start_), std::min(last_day, end_)))),
                 id, rep, dept, absl::StrCat(rating)});
        }
      }
    }
    Done(f);
  }

  void Knowledge() {
    static const char* const kTopics[] = {
        "大客户谈判技巧 (key-account negotiation)", "B产品新功能培训 (product B training)",
        "回款风险识别 (collection risk)", "CRM 跟进记录规范 (follow-up records)",
        "竞品分析分享 (competitor analysis)"};
    CsvOut f(Path("knowledge.csv"),
             {"event_id", "occurred_at", "entry_id", "rep_id", "role", "topic", "date"});
    int n = 0;
    // A session every two weeks: one rep gives it, several attend.
    for (absl::CivilDay d = start_ + 3; d <= end_; d += 14) {
      const absl::CivilDay day = IsWeekend(d) ? d + 2 : d;
      if (day > end_) break;
      const char* topic = rng_.Pick(kTopics);
      const std::string& speaker = rng_.Pick(reps_);
      for (const std::string& rep : reps_) {
        const bool gave = rep == speaker;
        if (!gave && !rng_.Chance(60)) continue;
        const std::string id = absl::StrFormat("KS-%05d", ++n);
        f.Row({id, Instant(absl::CivilSecond(day.year(), day.month(), day.day(), 17, 30, 0)), id,
               rep, gave ? "gave" : "attended", topic, Day(day)});
      }
    }
    Done(f);
  }

  void Reports() {
    CsvOut f(Path("reports.csv"), {"event_id", "occurred_at", "report_id", "author_id", "cadence",
                                   "period", "submitted_at"});
    auto row = [&](const std::string& id, const std::string& author, const char* cadence,
                   const std::string& period, absl::CivilSecond at) {
      f.Row({id, Instant(at), id, author, cadence, period, Instant(at)});
    };
    // Daily reports by 18:00; some late, a few missing.
    for (absl::CivilDay d = start_; d <= end_; ++d) {
      if (IsWeekend(d)) continue;
      for (const std::string& rep : reps_) {
        if (rng_.Chance(3)) continue;
        absl::CivilSecond at(d.year(), d.month(), d.day(), 17,
                             static_cast<int>(rng_.Between(0, 59)), 0);
        if (rng_.Chance(10)) at += rng_.Between(3600, 5 * 3600);  // after 18:00: late
        row(absl::StrCat("DR-", rep, "-", Day(d)), rep, "daily", Day(d), at);
      }
    }
    // Weekly summaries of the regional managers, due Monday 12:00.
    for (absl::CivilDay d = start_; d <= end_; ++d) {
      if (absl::GetWeekday(d) != absl::Weekday::monday || d - 7 < start_) continue;
      const absl::CivilDay sunday = d - 1;
      // ISO week of the Sunday that ended it.
      const absl::CivilDay thursday = sunday - 3;
      const int week = static_cast<int>((absl::GetYearDay(thursday) - 1) / 7 + 1);
      const std::string period = absl::StrFormat("%04d-W%02d", thursday.year(), week);
      for (const char* region : kRegions) {
        absl::CivilSecond at(d.year(), d.month(), d.day(), static_cast<int>(rng_.Between(9, 11)),
                             static_cast<int>(rng_.Between(0, 59)), 0);
        if (rng_.Chance(10)) at += rng_.Between(2 * 3600, 6 * 3600);
        row(absl::StrCat("WR-", region, "-", period), region, "weekly", period, at);
      }
    }
    // The director's monthly summary, due by the 3rd.
    for (absl::CivilMonth month(start_); absl::CivilDay(month + 1) + 2 <= end_; ++month) {
      const absl::CivilDay due = absl::CivilDay(month + 1) + 2;
      absl::CivilSecond at = OfficeTime(due - rng_.Between(0, 2));
      if (rng_.Chance(15)) at += 86400 * rng_.Between(1, 3);
      const std::string period = absl::FormatCivilTime(month);
      row(absl::StrCat("MR-acme-", period), "acme", "monthly", period, at);
    }
    Done(f);
  }

  const std::string dir_;
  const std::vector<std::string> reps_;
  const int customer_count_;
  const absl::CivilDay start_, end_;
  Rng rng_;
  std::vector<Customer> customers_;
  std::map<std::string, std::vector<std::size_t>> by_rep_;
  std::vector<std::pair<std::string, int>> written_;
};

bool IntFlag(const Invocation& inv, const char* name, int fallback, int lo, int hi, int* out) {
  *out = fallback;
  if (!inv.args.Has(name)) return true;
  return absl::SimpleAtoi(inv.args.Get(name), out) && *out >= lo && *out <= hi;
}

int RunGenerate(const Invocation& inv) {
  const std::string dir = inv.args.Get("out");
  if (dir.empty()) return inv.UsageError("--out DIR is required");
  int reps = 0, customers = 0, days = 0, seed = 0;
  if (!IntFlag(inv, "reps", 12, 1, 12, &reps)) {
    return inv.UsageError("--reps is a number from 1 to 12 (the demo org has 12 reps)");
  }
  if (!IntFlag(inv, "customers", 200, 1, 100000, &customers)) {
    return inv.UsageError("--customers is a number from 1 to 100000");
  }
  if (!IntFlag(inv, "days", 90, 1, 3660, &days)) {
    return inv.UsageError("--days is a number from 1 to 3660");
  }
  if (!IntFlag(inv, "seed", 1, 0, 2147483647, &seed)) {
    return inv.UsageError("--seed is a non-negative whole number");
  }
  absl::CivilDay start(2026, 10, 1);
  if (inv.args.Has("start") && !absl::ParseCivilTime(inv.args.Get("start"), &start)) {
    return inv.UsageError(
        absl::StrCat("--start \"", inv.args.Get("start"), "\" is not a day: write YYYY-MM-DD"));
  }
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    std::cerr << "error: cannot create " << dir << ": " << std::strerror(errno) << "\n";
    return kExitFailure;
  }
  Generator generator(dir, reps, customers, days, start, static_cast<uint64_t>(seed));
  const std::vector<std::pair<std::string, int>> files = generator.Run();
  for (const auto& [path, rows] : files) {
    std::ifstream check(path);
    if (!check) {
      std::cerr << "error: cannot write " << path << "\n";
      return kExitFailure;
    }
  }
  static const std::map<std::string, std::string> kKindOf = {{"orders.csv", "orders"},
                                                             {"payments.csv", "payments"},
                                                             {"receivables.csv", "receivables"},
                                                             {"follow-ups.csv", "follow-ups"},
                                                             {"opportunities.csv", "opportunities"},
                                                             {"customers.csv", "customers"},
                                                             {"surveys.csv", "surveys"},
                                                             {"ratings.csv", "ratings"},
                                                             {"knowledge.csv", "knowledge"},
                                                             {"reports.csv", "reports"}};
  auto kind_of = [&](const std::string& path) {
    const std::string base = path.substr(path.rfind('/') + 1);
    auto it = kKindOf.find(base);
    return it == kKindOf.end() ? std::string() : it->second;
  };
  if (inv.client.json()) {
    nlohmann::ordered_json doc = {{"out", dir},
                                  {"start", Day(start)},
                                  {"days", days},
                                  {"seed", seed},
                                  {"files", nlohmann::ordered_json::array()}};
    for (const auto& [path, rows] : files) {
      doc["files"].push_back({{"path", path}, {"kind", kind_of(path)}, {"rows", rows}});
    }
    PrintJson(doc);
    return kExitOk;
  }
  Table t({"file", "kind", "rows"});
  t.AlignRight(2);
  for (const auto& [path, rows] : files) t.AddRow({path, kind_of(path), absl::StrCat(rows)});
  t.Print();
  std::cout << absl::StrFormat(
      "\n%d days from %s, %d reps, %d customers, seed %d. Load with e.g.\n"
      "  attainctl ingest %s/customers.csv --kind customers\n",
      days, Day(start), reps, customers, seed, dir);
  return kExitOk;
}

}  // namespace

std::vector<Command> GenerateCommands() {
  return {{"demo generate",
           "--out DIR [--reps 12] [--customers 200] [--days 90] [--start 2026-10-01] [--seed 1]",
           "writes realistic CSV exports of the demo org's activity (orders, payments, "
           "receivables, follow-ups, opportunities, customers, surveys, ratings, knowledge, "
           "reports) for `attainctl ingest`; the same seed gives the same files",
           {"out", "reps", "customers", "days", "start", "seed"},
           {},
           0,
           0,
           RunGenerate}};
}

}  // namespace attain::ctl
