// Reports from the book's estimator, recorded for a spread of configurations
// (many above 2^53 bytes, where a naive double conversion goes wrong), must
// come out of our formatter byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kvscope/estimator.h"
#include "kvscope/format.h"

using namespace kvscope;

namespace {

struct Case {
    ModelShape shape;
    Workload workload;
    std::uint64_t mha_bytes = 0;
    std::uint64_t gqa_bytes = 0;
    std::string report;
    std::string flags;
};

std::vector<Case> loadCases() {
    std::ifstream in(KVSCOPE_TEST_DATA_DIR "/book_reports.txt");
    std::vector<Case> cases;
    Case current;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# --", 0) == 0) {
            current = Case{};
            current.flags = line.substr(2);
            std::istringstream words(current.flags);
            std::string flag, dtype;
            std::uint64_t ctx = 0, emb = 0, heads = 0, layers = 0, groups = 0, batch = 0;
            words >> flag >> ctx >> flag >> emb >> flag >> heads >> flag >> layers >> flag >> groups >> flag >>
                batch >> flag >> dtype;
            current.shape = ModelShape{static_cast<std::uint32_t>(emb), static_cast<std::uint32_t>(heads),
                                       static_cast<std::uint32_t>(groups), static_cast<std::uint32_t>(layers),
                                       std::nullopt};
            current.workload = Workload{ctx, static_cast<std::uint32_t>(batch), *parseDType(dtype)};
        } else if (line.rfind("# mha_bytes", 0) == 0) {
            std::istringstream words(line.substr(2));
            std::string key;
            words >> key >> current.mha_bytes >> key >> current.gqa_bytes;
        } else if (line == "%%") {
            cases.push_back(current);
        } else {
            current.report += line + "\n";
        }
    }
    return cases;
}

}  // namespace

TEST(BookParity, EveryRecordedReportMatchesByteForByte) {
    const std::vector<Case> cases = loadCases();
    ASSERT_GE(cases.size(), 50u);
    for (const Case &c : cases) {
        auto e = estimate(c.shape, c.workload);
        ASSERT_TRUE(e.ok()) << c.flags << ": " << e.error().message;
        EXPECT_EQ(e->mha_bytes, c.mha_bytes) << c.flags;
        EXPECT_EQ(e->gqa_bytes, c.gqa_bytes) << c.flags;
        EXPECT_EQ(bookReport(c.shape, c.workload, *e), c.report) << c.flags;
    }
}
