#include "streams/sequence_number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "streams/shard_id.h"

namespace runnel::streams {
namespace {

// The slow, obviously right path: build the 47 hex digits of the layout as
// text and convert them to decimal digit by digit.
std::string naive_sequence(const SequenceNumber& s) {
  char hex[64];
  std::snprintf(hex, sizeof hex, "2%09llx%x%016llx00%09llx%08x2", static_cast<unsigned long long>(s.shard_create_secs),
                s.shard_index & 0xF, static_cast<unsigned long long>(s.counter),
                static_cast<unsigned long long>(s.arrival_secs), s.shard_index);
  std::vector<int> digits{0};  // little-endian decimal
  for (const char* p = hex; *p; ++p) {
    int carry = (*p <= '9') ? *p - '0' : *p - 'a' + 10;
    for (int& d : digits) {
      const int v = d * 16 + carry;
      d = v % 10;
      carry = v / 10;
    }
    while (carry) {
      digits.push_back(carry % 10);
      carry /= 10;
    }
  }
  std::string out;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(static_cast<char>('0' + *it));
  return out;
}

// a - b for decimal strings with a >= b.
std::string subtract(std::string a, const std::string& b) {
  int borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const int bd = i < b.size() ? b[b.size() - 1 - i] - '0' : 0;
    int d = a[a.size() - 1 - i] - '0' - bd - borrow;
    borrow = d < 0;
    if (d < 0) d += 10;
    a[a.size() - 1 - i] = static_cast<char>('0' + d);
  }
  const auto first = a.find_first_not_of('0');
  return first == std::string::npos ? "0" : a.substr(first);
}

SequenceNumber random_sequence(std::mt19937_64& rng) {
  SequenceNumber s;
  s.shard_create_secs = static_cast<int64_t>(rng() & kMaxSequenceSecs);
  s.shard_index = static_cast<uint32_t>(rng() & kMaxShardIndex);
  s.counter = (rng() & kMaxSequenceCounter) >> (rng() % 64);
  s.arrival_secs = static_cast<int64_t>(rng() & kMaxSequenceSecs);
  return s;
}

constexpr const char* kAwsDocExample = "49546986683135544286507457936321625675700192471156785154";

TEST(SequenceNumber, DecodesTheAwsDocumentationExample) {
  auto s = parse_sequence_number(kAwsDocExample);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->shard_create_secs, 1421279230);  // 2015-01-14 23:47:10 UTC
  EXPECT_EQ(s->counter, 0x1d5u);
  EXPECT_EQ(s->arrival_secs, 1421279386);  // 2015-01-14 23:49:46 UTC
  EXPECT_EQ(s->shard_index, 0u);
  EXPECT_EQ(s->version, 2);
  EXPECT_EQ(format_sequence_number(*s), kAwsDocExample);
}

TEST(SequenceNumber, KnownValues) {
  EXPECT_EQ(format_sequence_number({0, 0, 0, 0}), "49039857307708443467467104868809893875799651909875269634");
  EXPECT_EQ(format_sequence_number({kMaxSequenceSecs, kMaxShardIndex, kMaxSequenceCounter, kMaxSequenceSecs}),
            "73559785961551514828601391991642868751110021890170683378");
  EXPECT_EQ(format_sequence_number({1700000000, 7, 12345, 1700000100}),
            "49646437577264581633306590782740868696636572240512548978");
}

TEST(SequenceNumber, ConsecutiveShardsStartNumbersDifferBy2To144Plus16) {
  // kinesalite's test of AWS: shard i+1's StartingSequenceNumber minus shard
  // i's is 2^144 + 16 (the index nibble at hex 10 and the index at hex 38..45).
  for (uint32_t i = 0; i < 15; ++i) {
    const std::string a = format_sequence_number({1421279230, i, 0, 1421279230});
    const std::string b = format_sequence_number({1421279230, i + 1, 0, 1421279230});
    EXPECT_EQ(subtract(b, a), "22300745198530623141535718272648361505980432") << i;
  }
}

TEST(SequenceNumber, AlwaysFiftySixDigits) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(format_sequence_number(random_sequence(rng)).size(), kSequenceNumberDigits);
}

TEST(SequenceNumber, FastFormatMatchesNaiveConversion) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 50000; ++i) {
    const SequenceNumber s = random_sequence(rng);
    ASSERT_EQ(format_sequence_number(s), naive_sequence(s));
  }
}

TEST(SequenceNumber, RoundTrips) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 50000; ++i) {
    const SequenceNumber s = random_sequence(rng);
    const std::string text = format_sequence_number(s);
    auto back = parse_sequence_number(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(*back, s) << text;
  }
  // Extremes, including a closed shard's ending number.
  for (const SequenceNumber& s :
       {SequenceNumber{0, 0, 0, 0},
        SequenceNumber{kMaxSequenceSecs, kMaxShardIndex, kMaxSequenceCounter, kMaxSequenceSecs},
        SequenceNumber{1421279230, 12, kMaxSequenceCounter, 1900000000}}) {
    EXPECT_EQ(parse_sequence_number(format_sequence_number(s)), s);
  }
}

TEST(SequenceNumber, FormatToWritesTheSameDigits) {
  char buf[kMaxSequenceNumberDigits];
  const SequenceNumber s{1421279230, 0, 0x1d5, 1421279386};
  const std::size_t n = format_sequence_number_to(s, buf);
  EXPECT_EQ(std::string(buf, n), kAwsDocExample);
}

TEST(SequenceNumber, GreaterCounterSortsLaterWhateverTheArrival) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    SequenceNumber a = random_sequence(rng), b = a;
    if (a.counter == kMaxSequenceCounter) --a.counter;
    b.counter = a.counter + 1 + (rng() % (kMaxSequenceCounter - a.counter));
    b.arrival_secs = static_cast<int64_t>(rng() & kMaxSequenceSecs);  // may be earlier than a's
    ASSERT_LT(compare_sequence_numbers(format_sequence_number(a), format_sequence_number(b)), 0);
    ASSERT_GT(compare_sequence_numbers(format_sequence_number(b), format_sequence_number(a)), 0);
  }
}

TEST(SequenceNumber, LaterArrivalWithSameCounterSortsBetweenCounters) {
  // kinesalite's AFTER_SEQUENCE_NUMBER trick: +1 s of arrival stays below
  // the next counter.
  const SequenceNumber at{1421279230, 4, 100, 1421279386};
  SequenceNumber after = at;
  after.arrival_secs += 1;
  SequenceNumber next = at;
  next.counter += 1;
  next.arrival_secs = 0;
  EXPECT_LT(compare_sequence_numbers(format_sequence_number(at), format_sequence_number(after)), 0);
  EXPECT_LT(compare_sequence_numbers(format_sequence_number(after), format_sequence_number(next)), 0);
}

TEST(SequenceNumber, DecimalOrderMatchesBigIntegerOrder) {
  std::mt19937_64 rng(4);
  std::vector<SequenceNumber> seqs;
  for (int i = 0; i < 2000; ++i) seqs.push_back(random_sequence(rng));
  std::vector<std::string> texts;
  for (const auto& s : seqs) texts.push_back(format_sequence_number(s));
  // Equal-length decimal strings order like their integers, and so like
  // the hex layout's tuple order (create, index nibble, counter, 00, arrival, index).
  auto key = [](const SequenceNumber& s) {
    return std::tuple(s.shard_create_secs, s.shard_index & 0xF, s.counter, s.arrival_secs, s.shard_index);
  };
  for (std::size_t i = 0; i + 1 < seqs.size(); ++i) {
    const int c = compare_sequence_numbers(texts[i], texts[i + 1]);
    const auto ka = key(seqs[i]), kb = key(seqs[i + 1]);
    ASSERT_EQ(c < 0, ka < kb);
    ASSERT_EQ(c == 0, ka == kb);
  }
}

TEST(CompareSequenceNumbers, ComparesAsBigIntegers) {
  EXPECT_EQ(compare_sequence_numbers("7", "007"), 0);
  EXPECT_EQ(compare_sequence_numbers("", "0"), 0);
  EXPECT_EQ(compare_sequence_numbers("0", "000"), 0);
  EXPECT_LT(compare_sequence_numbers("9", "10"), 0);
  EXPECT_GT(compare_sequence_numbers("10", "9"), 0);
  EXPECT_LT(compare_sequence_numbers("0009", "10"), 0);
  EXPECT_LT(compare_sequence_numbers("49546986683135544286507457936321625675700192471156785154",
                                     "49546986683135544286507457936321625675700192471156785155"),
            0);
  EXPECT_GT(compare_sequence_numbers("100000000000000000000000000000000000000000000000000000000",
                                     "99999999999999999999999999999999999999999999999999999999"),
            0);
}

TEST(ParseSequenceNumber, RejectsWhatIsNotVersionTwo) {
  for (const char* bad : {"", "abc", "-49546986683135544286507457936321625675700192471156785154",
                          "49546986683135544286507457936321625675700192471156785154 ", "0", "5",
                          // 2^185 exactly, and 1.5 * 2^185 (just past the version-2 range)
                          "49039857307708443467467104868809893875799651909875269632",
                          "73559785961562665201200657303214840813699477864812904448",
                          // counter starting with hex 8 (kinesalite: "Sequence index too high")
                          "49039857307719593840066370180380661734935976090628259842",
                          // shard index starting with hex 8
                          "49039857307708443467467104868809893875799651944235008002"}) {
    EXPECT_EQ(parse_sequence_number(bad), std::nullopt) << bad;
  }
  // A 129-digit number (the model's maximum) overflows 192 bits: rejected.
  EXPECT_EQ(parse_sequence_number(std::string(129, '9')), std::nullopt);
  EXPECT_EQ(parse_sequence_number_any_version(std::string(129, '9')), std::nullopt);
}

TEST(ParseSequenceNumber, RejectsOtherFinalNibbles) {
  // The same number with the version nibble 0 or 3 instead of 2.
  const std::string two = format_sequence_number({1421279230, 0, 5, 1421279386});
  // Subtracting 2 turns the final hex digit 2 into 0; adding 1 turns it into 3.
  const std::string zero = subtract(two, "2");
  EXPECT_EQ(parse_sequence_number_any_version(zero), std::nullopt);
  std::string three = two;
  ASSERT_NE(three.back(), '9');
  three.back() = static_cast<char>(three.back() + 1);  // + 1: final hex digit 3
  EXPECT_EQ(parse_sequence_number_any_version(three), std::nullopt);
}

TEST(ParseSequenceNumber, ToleratesLeadingZeros) {
  auto s = parse_sequence_number(std::string("000") + kAwsDocExample);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->counter, 0x1d5u);
}

TEST(ParseSequenceNumberAnyVersion, SmallNumbersAreVersionZero) {
  // kinesalite's test of AWS: "5" used on shard 0 "encodes shardId-000000000005".
  auto five = parse_sequence_number_any_version("5");
  ASSERT_TRUE(five.has_value());
  EXPECT_EQ(five->version, 0);
  EXPECT_EQ(five->shard_index, 5u);
  EXPECT_EQ(format_shard_id(five->shard_index), "shardId-000000000005");
  auto zero = parse_sequence_number_any_version("0");
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->version, 0);
  EXPECT_EQ(zero->shard_index, 0u);
}

TEST(ParseSequenceNumberAnyVersion, VersionZeroDateTooLarge) {
  // hex 13bb2cc3d80000000000000000000000: create time 16025175000 s.
  EXPECT_EQ(parse_sequence_number_any_version("26227199374822427428162556223570313216"), std::nullopt);
  // One second earlier is accepted: hex 13bb2cc3d7...
  auto ok = parse_sequence_number_any_version("26227199374822427428162556223570313215");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->version, 0);
}

TEST(ParseSequenceNumberAnyVersion, VersionOne) {
  // hex: '2' create(9) nibble(1) byte(2) arrival(9) random(14) index(2) shard(8) '1'
  const std::string hex =
      "2054b6fffe"
      "3"
      "00"
      "054b7009a"
      "0123456789abcd"
      "2a"
      "00000003"
      "1";
  ASSERT_EQ(hex.size(), 47u);
  // Convert the hex to decimal via the naive route: parse fields back.
  std::vector<int> digits{0};
  for (char c : hex) {
    int carry = c <= '9' ? c - '0' : c - 'a' + 10;
    for (int& d : digits) {
      const int v = d * 16 + carry;
      d = v % 10;
      carry = v / 10;
    }
    while (carry) {
      digits.push_back(carry % 10);
      carry /= 10;
    }
  }
  std::string dec;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) dec.push_back(static_cast<char>('0' + *it));
  auto v1 = parse_sequence_number_any_version(dec);
  ASSERT_TRUE(v1.has_value());
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->shard_create_secs, 1421279230);
  EXPECT_EQ(v1->arrival_secs, 1421279386);
  EXPECT_EQ(v1->counter, 0x2au);
  EXPECT_EQ(v1->shard_index, 3u);
  EXPECT_EQ(parse_sequence_number(dec), std::nullopt);  // not one of ours
}

TEST(ParseSequenceNumberAnyVersion, AgreesWithStrictParseOnVersionTwo) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i) {
    const std::string text = format_sequence_number(random_sequence(rng));
    EXPECT_EQ(parse_sequence_number_any_version(text), parse_sequence_number(text));
  }
}

// Hex digits to decimal, digit by digit.
std::string hex_to_decimal(std::string_view hex) {
  std::vector<int> digits{0};  // little-endian decimal
  for (char c : hex) {
    int carry = c <= '9' ? c - '0' : c - 'a' + 10;
    for (int& d : digits) {
      const int v = d * 16 + carry;
      d = v % 10;
      carry = v / 10;
    }
    while (carry) {
      digits.push_back(carry % 10);
      carry /= 10;
    }
  }
  std::string out;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(static_cast<char>('0' + *it));
  return out;
}

// The hex of a version-2 number with this arrival time and otherwise kinesalite's "time is now" fields.
std::string arriving_at(int64_t secs) {
  char hex[64];
  std::snprintf(hex, sizeof hex, "2ffffffffff7fffffff7fffffff000%08llx7fffffff2",
                static_cast<unsigned long long>(secs));
  return hex_to_decimal(hex);
}

// The SequenceNumberForOrdering cases of kinesalite's test/putRecord.js.
TEST(CheckSequenceNumberForOrdering, AcceptsWhatAwsAccepted) {
  const int64_t now_ms = 1'700'000'000'123;
  for (const char* hex : {"2ffffffffff7fffffffffffffff000000000007fffffff2",     // all f
                          "20000000000000000000000000000000000000000000002",     // all 0
                          "20000000000000000000000000000000000000000000001",     // all 0, version 1
                          "20000000000000000000000000000000000000800000002"}) {  // 8 near the end
    EXPECT_EQ(check_sequence_number_for_ordering(hex_to_decimal(hex), now_ms), OrderingVerdict::kAccepted) << hex;
  }
  EXPECT_EQ(check_sequence_number_for_ordering(arriving_at(now_ms / 1000 - 2), now_ms), OrderingVerdict::kAccepted);
  EXPECT_EQ(check_sequence_number_for_ordering(arriving_at(now_ms / 1000), now_ms), OrderingVerdict::kAccepted);
}

TEST(CheckSequenceNumberForOrdering, RefusesWhatAwsRefused) {
  const int64_t now_ms = 1'700'000'000'123;
  for (const char* hex : {"20000000000000000000000000000000000000000000000",  // version 0
                          "20000000000000000000000000000000000000000000004",  // version 4
                          "30000000000000000000000000000000000000000000001",  // initial 3
                          "1ffffffffff7fffffffffffffff000000000007fffffff2",  // initial 1
                          "20000000000800000000000000000000000000000000002",  // 8 in the counter
                          "13bb2cc3d80000000000000000000000"}) {              // version 0, date too large
    EXPECT_EQ(check_sequence_number_for_ordering(hex_to_decimal(hex), now_ms), OrderingVerdict::kInvalid) << hex;
  }
  EXPECT_EQ(check_sequence_number_for_ordering(arriving_at(now_ms / 1000 + 2), now_ms), OrderingVerdict::kInvalid);
  EXPECT_EQ(check_sequence_number_for_ordering("5", now_ms), OrderingVerdict::kInvalid);
  EXPECT_EQ(check_sequence_number_for_ordering(std::string(129, '9'), now_ms), OrderingVerdict::kInvalid);
}

TEST(CheckSequenceNumberForOrdering, VersionThreeIsAnInternalFailure) {
  EXPECT_EQ(check_sequence_number_for_ordering(hex_to_decimal("20000000000000000000000000000000000000000000003"),
                                               1'700'000'000'000),
            OrderingVerdict::kInternalFailure);
}

TEST(ParseSequenceNumberAnyVersion, KeepsAShardIndexFieldAboveTheJavaIntRange) {
  // kinesalite's "8 near end of StartingSequenceNumber": AWS answers that it
  // encodes shardId--02147483648.
  auto seq = parse_sequence_number_any_version(hex_to_decimal("20000000000000000000000000000000000000800000002"));
  ASSERT_TRUE(seq.has_value());
  EXPECT_EQ(seq->version, 2);
  EXPECT_EQ(seq->shard_index, 0x80000000u);
  EXPECT_EQ(format_encoded_shard_id(static_cast<int32_t>(seq->shard_index)), "shardId--02147483648");
  // The strict parser still refuses it: runnel never issues such a number.
  EXPECT_EQ(parse_sequence_number(hex_to_decimal("20000000000000000000000000000000000000800000002")), std::nullopt);
}

}  // namespace
}  // namespace runnel::streams
