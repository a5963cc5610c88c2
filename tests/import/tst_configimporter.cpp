#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

#include "ConfigImporter.h"
#include "ModelEstimate.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/variants.h"

using kvscope::DType;
using kvscope::LayerKind;
using kvscope::Workload;

// Every family's expected bytes below are worked out by hand from its public
// config.json (copied into tests/data/configs/), bf16 (2 B) unless stated:
//   per token per layer = n_kv_heads * (k_head_dim + v_head_dim) * bytes
//   sliding layers hold min(context, window) tokens; MLA layers hold
//   kv_lora_rank + qk_rope_head_dim per token; linear layers a fixed state.
class TestConfigImporter : public QObject {
    Q_OBJECT

private:
    static ImportedModel load(const QString &name) {
        auto model = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + name);
        if (!model.ok()) qFatal("%s: %s", qPrintable(name), model.error().message.c_str());
        return model.value();
    }
    static std::uint64_t bytes(const kvscope::ModelLayout &layout, std::uint64_t context, DType dtype = DType::bf16,
                               std::uint32_t batch = 1) {
        auto total = kvscope::layoutTotalBytes(layout, Workload{context, batch, dtype});
        if (!total.ok()) qFatal("%s", total.error().message.c_str());
        return total.value();
    }
    static std::uint64_t perToken(const kvscope::ModelLayout &layout, std::uint64_t context) {
        return kvscope::layoutBytesPerToken(layout, Workload{context, 1, DType::bf16}).value();
    }
    static std::uint64_t layers(const ImportedModel &m, LayerKind kind) {
        return kvscope::layerCountsByKind(m.layout)[static_cast<std::size_t>(kind)];
    }
    static std::string source(const ImportedModel &m, std::string_view field) {
        const Provenance *p = m.find(field);
        return p ? p->source : std::string("(no provenance for ") + std::string(field) + ")";
    }
    static kvscope::InputError importError(const QByteArray &json) {
        auto model = ConfigImporter::fromJson(json);
        if (model.ok()) qFatal("expected an error for %s", json.left(200).constData());
        return model.error();
    }
    static QJsonObject object(const QString &name) {
        QFile file(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + name);
        if (!file.open(QIODevice::ReadOnly)) qFatal("%s: cannot read", qPrintable(name));
        return QJsonDocument::fromJson(file.readAll()).object();
    }
    static bool contains(const std::string &text, std::string_view part) {
        return text.find(part) != std::string::npos;
    }

    // A data row's json is refused: its error names `field`, says `says`, in one line.
    static void expectRefusal() {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        QFETCH(QString, says);
        const kvscope::InputError e = importError(json);
        QCOMPARE(QString::fromStdString(e.field), field);
        QVERIFY2(contains(e.message, says.toStdString()), e.message.c_str());
        QVERIFY2(e.message.find('\n') == std::string::npos, e.message.c_str());
    }

private Q_SLOTS:
    void gpt2() {
        // n_embd 768, n_head 12, n_layer 12; no num_key_value_heads: MHA.
        // head_dim = 768 / 12 = 64; per token: 12 layers * 12 heads * 128 * 2 B = 36,864 B.
        const ImportedModel m = load(QStringLiteral("gpt2.json"));
        QCOMPARE(layers(m, LayerKind::Full), 12u);
        QCOMPARE(bytes(m.layout, 1), 36'864u);
        QCOMPARE(bytes(m.layout, 1024), 37'748'736u);             // 1024 * 36,864
        QCOMPARE(bytes(m.layout, 1024, DType::fp32), 75'497'472u);  // 4 B per element
        QCOMPARE(m.max_position_embeddings.value(), 1024u);      // n_positions
        QVERIFY(!m.torch_dtype.has_value());
        QCOMPARE(source(m, "head_dim"), std::string("derived as n_embd / n_head = 768 / 12"));
        QCOMPARE(source(m, "n_layers"), std::string("n_layer"));
        QVERIFY(m.shape_is_exact);
        QVERIFY(m.warnings.empty());
    }

    void llama2_7b() {
        // 32 layers, 32 heads, num_key_value_heads 32 (MHA), head_dim 4096 / 32 = 128.
        // Per token: 32 * 32 * 256 * 2 B = 524,288 B.
        const ImportedModel m = load(QStringLiteral("llama-2-7b.json"));
        QCOMPARE(perToken(m.layout, 100), 524'288u);
        QCOMPARE(bytes(m.layout, 4096), 2'147'483'648u);  // 4096 * 524,288
        QCOMPARE(bytes(m.layout, 4096, DType::fp16, 4), std::uint64_t{4} * 2'147'483'648u);
        QCOMPARE(m.torch_dtype.value(), DType::fp16);
        QCOMPARE(m.max_position_embeddings.value(), 4096u);
    }

    void llama3() {
        // Llama 3 8B and 3.1 8B: 32 layers, 8 K/V heads of 128: 32 * 8 * 256 * 2 = 131,072 B per token.
        const ImportedModel l3 = load(QStringLiteral("llama-3-8b.json"));
        QCOMPARE(bytes(l3.layout, 8192), 1'073'741'824u);  // 8192 * 131,072
        QCOMPARE(l3.max_position_embeddings.value(), 8192u);
        const ImportedModel l31 = load(QStringLiteral("llama-3.1-8b.json"));
        QCOMPARE(bytes(l31.layout, 131072), 17'179'869'184u);  // 131072 * 131,072
        QCOMPARE(bytes(l31.layout, 1000), 131'072'000u);
        QCOMPARE(l31.torch_dtype.value(), DType::bf16);
        QCOMPARE(source(l31, "n_kv_heads"), std::string("num_key_value_heads"));
        QCOMPARE(source(l31, "head_dim"),
                 std::string("derived as hidden_size / num_attention_heads = 4096 / 32"));
        // The book's shape for the sliders reproduces it exactly.
        QVERIFY(l31.shape_is_exact);
        QCOMPARE(l31.shape.n_kv_groups, 4u);
        // Llama 3.1 70B: 80 layers, 8 K/V heads of 128: 80 * 8 * 256 * 2 = 327,680 B per token.
        const ImportedModel l70 = load(QStringLiteral("llama-3.1-70b.json"));
        QCOMPARE(bytes(l70.layout, 8192), 2'684'354'560u);      // 8192 * 327,680
        QCOMPARE(bytes(l70.layout, 131072), 42'949'672'960u);   // 131072 * 327,680
        // As MHA (64 heads): 8x as much.
        QCOMPARE(bytes(kvscope::asMha(l70.layout), 131072), 8 * 42'949'672'960u);
    }

    void mistral7b() {
        // Mistral 7B v0.1: sliding_window 4096 on every layer (no pattern), 32 layers, 8 K/V heads of 128.
        // Per token: 32 * 8 * 256 * 2 = 131,072 B; at most 4096 tokens per layer.
        const ImportedModel m = load(QStringLiteral("mistral-7b-v0.1.json"));
        QCOMPARE(layers(m, LayerKind::Sliding), 32u);
        QCOMPARE(bytes(m.layout, 1000), 131'072'000u);       // below the window: 1000 * 131,072
        QCOMPARE(bytes(m.layout, 4096), 536'870'912u);       // 4096 * 131,072
        QCOMPARE(bytes(m.layout, 32768), 536'870'912u);      // above it: still 4096 tokens
        QCOMPARE(perToken(m.layout, 4095), 131'072u);
        QCOMPARE(perToken(m.layout, 32768), 0u);
        QCOMPARE(bytes(kvscope::withoutSlidingWindow(m.layout), 32768), 4'294'967'296u);  // 32768 * 131,072
        QVERIFY(!m.shape_is_exact);
    }

    void qwen25_7b() {
        // 28 layers, 28 heads, 4 K/V heads, head_dim 3584 / 28 = 128; use_sliding_window false,
        // so the named sliding_window 131072 is off. Per token: 28 * 4 * 256 * 2 = 57,344 B.
        const ImportedModel m = load(QStringLiteral("qwen2.5-7b.json"));
        QCOMPARE(layers(m, LayerKind::Full), 28u);
        QCOMPARE(bytes(m.layout, 32768), 1'879'048'192u);    // 32768 * 57,344
        QCOMPARE(bytes(m.layout, 131072), 7'516'192'768u);   // 131072 * 57,344
        QVERIFY(contains(source(m, "layers"), "switched off"));
    }

    void qwen3() {
        // Qwen3-4B: head_dim 128 although 2560 / 32 = 80. 36 layers, 8 K/V heads:
        // per token 36 * 8 * 256 * 2 = 147,456 B (a calculator deriving 80 says 92,160).
        const ImportedModel m4 = load(QStringLiteral("qwen3-4b.json"));
        QCOMPARE(perToken(m4.layout, 1), 147'456u);
        QCOMPARE(bytes(m4.layout, 40960), 6'039'797'760u);  // 40960 * 147,456
        QCOMPARE(bytes(m4.layout, 8192), 1'207'959'552u);   // 8192 * 147,456
        QVERIFY(contains(source(m4, "head_dim"), "not hidden_size / num_attention_heads = 2560 / 32"));
        QCOMPARE(m4.shape.head_dim.value(), 128u);
        QVERIFY(m4.shape_is_exact);
        // Qwen3-8B: hidden 4096 / 32 = 128 agrees with head_dim; same per-token bytes.
        const ImportedModel m8 = load(QStringLiteral("qwen3-8b.json"));
        QCOMPARE(bytes(m8.layout, 40960), 6'039'797'760u);
    }

    void qwen3Next() {
        // 48 layers, full_attention_interval 4: layers 3, 7, ..., 47 full (12), 36 Gated DeltaNet.
        // Full: 2 K/V heads * (256 + 256) * 2 B = 2,048 B per token per layer; 12 layers: 24,576 B.
        // Gated DeltaNet, per layer and sequence: recurrent 32 * 128 * 128 = 524,288 elements, conv
        // (2 * 16 * 128 + 32 * 128) * (4 - 1) = 24,576 elements, both in the engine's state dtype
        // (vLLM: the model dtype; llama.cpp: f32), here the bf16 of the KV cache: 1,097,728 B,
        // 36 layers: 39,518,208 B whatever the context.
        const ImportedModel m = load(QStringLiteral("qwen3-next-80b-a3b.json"));
        QCOMPARE(layers(m, LayerKind::Full), 12u);
        QCOMPARE(layers(m, LayerKind::Linear), 36u);
        QCOMPARE(m.layout.groups[0].spec.kind, LayerKind::Linear);
        QCOMPARE(m.layout.groups[0].count, 3u);
        QCOMPARE(m.layout.groups[0].spec.state_family, kvscope::StateFamily::GatedDeltaNet);
        QVERIFY(!m.layout.groups[0].spec.recurrent_state_dtype.has_value());
        QVERIFY(!m.layout.groups[0].spec.conv_state_dtype.has_value());
        QCOMPARE(m.layout.groups[0].spec, kvscope::gatedDeltaNetLayer(16, 32, 128, 128, 4));
        QCOMPARE(m.layout.groups[1].spec.kind, LayerKind::Full);
        QCOMPARE(bytes(m.layout, 1), 39'518'208u + 24'576u);
        QCOMPARE(bytes(m.layout, 4096), 140'181'504u);        // 39,518,208 + 4096 * 24,576
        QCOMPARE(bytes(m.layout, 262144), 6'481'969'152u);    // 39,518,208 + 262144 * 24,576
        QCOMPARE(perToken(m.layout, 262144), 24'576u);
        QCOMPARE(bytes(m.layout, 4096, DType::bf16, 2), 2 * 140'181'504u);
        QVERIFY(contains(source(m, "linear_recurrent_state"), "32 * 128 * 128"));
        QCOMPARE(m.max_model_len.value(), 262'144u);  // max_position_embeddings, no RoPE scaling
    }

    void gemma2_9b() {
        // 42 layers alternating sliding (window 4096) and full, from sliding: 21 + 21.
        // 8 K/V heads of 256: 8 * 512 * 2 = 8,192 B per token per layer.
        const ImportedModel m = load(QStringLiteral("gemma-2-9b.json"));
        QCOMPARE(layers(m, LayerKind::Sliding), 21u);
        QCOMPARE(layers(m, LayerKind::Full), 21u);
        QCOMPARE(m.layout.groups[0].spec.kind, LayerKind::Sliding);
        QCOMPARE(bytes(m.layout, 1000), 344'064'000u);       // 42 * 1000 * 8192
        QCOMPARE(bytes(m.layout, 4096), 1'409'286'144u);     // 42 * 4096 * 8192
        QCOMPARE(bytes(m.layout, 8192), 2'113'929'216u);     // 21 * 8192 * (4096 + 8192)
        QCOMPARE(m.torch_dtype.value(), DType::fp32);
    }

    void gemma3_27b() {
        // Multimodal: the text model's keys are in text_config. The public config leaves out
        // sliding_window_pattern (transformers' default: 6), so layers 5, 11, ..., 59 are full
        // (10) and 52 slide over 1024 tokens. 16 K/V heads of 128: 16 * 256 * 2 = 8,192 B
        // per token per layer.
        const ImportedModel m = load(QStringLiteral("gemma-3-27b.json"));
        QCOMPARE(layers(m, LayerKind::Sliding), 52u);
        QCOMPARE(layers(m, LayerKind::Full), 10u);
        QCOMPARE(bytes(m.layout, 512), 260'046'848u);           // 62 * 512 * 8192
        QCOMPARE(bytes(m.layout, 1024), 520'093'696u);          // 62 * 1024 * 8192
        QCOMPARE(bytes(m.layout, 32768), 3'120'562'176u);       // (52 * 1024 + 10 * 32768) * 8192
        QCOMPARE(bytes(m.layout, 131072), 11'173'625'856u);     // (52 * 1024 + 10 * 131072) * 8192
        QCOMPARE(perToken(m.layout, 131072), 81'920u);          // only the 10 full layers grow
        // Counting every layer at full size: 62 * 131072 * 8192, 4.8x too much.
        QCOMPARE(bytes(kvscope::withoutSlidingWindow(m.layout), 131072), 66'571'993'088u);
        QCOMPARE(source(m, "n_kv_heads"), std::string("text_config.num_key_value_heads"));
        QCOMPARE(source(m, "sliding_window"), std::string("text_config.sliding_window"));
        QCOMPARE(m.find("layers")->value, std::string("52 sliding + 10 full"));
        QVERIFY(contains(source(m, "layers"), "sliding_window_pattern (absent: transformers' default"));
        QCOMPARE(m.torch_dtype.value(), DType::bf16);  // top-level torch_dtype
        QCOMPARE(m.model_type, std::string("gemma3_text"));
    }

    void gptOss() {
        // layer_types alternates sliding_attention (window 128) and full_attention.
        // 8 K/V heads of 64: 8 * 128 * 2 = 2,048 B per token per layer.
        const ImportedModel m20 = load(QStringLiteral("gpt-oss-20b.json"));  // 24 layers: 12 + 12
        QCOMPARE(layers(m20, LayerKind::Sliding), 12u);
        QCOMPARE(m20.layout.groups.size(), std::size_t{24});
        QCOMPARE(bytes(m20.layout, 100), 4'915'200u);            // 24 * 100 * 2048
        QCOMPARE(bytes(m20.layout, 128), 6'291'456u);            // 24 * 128 * 2048
        QCOMPARE(bytes(m20.layout, 131072), 3'224'371'200u);     // 12 * 2048 * (128 + 131072)
        const ImportedModel m120 = load(QStringLiteral("gpt-oss-120b.json"));  // 36 layers: 18 + 18
        QCOMPARE(bytes(m120.layout, 8192), 306'708'480u);        // 18 * 2048 * (128 + 8192)
        QCOMPARE(bytes(m120.layout, 131072), 4'836'556'800u);    // 18 * 2048 * (128 + 131072)
        QCOMPARE(perToken(m120.layout, 64), 36u * 2048);
        QCOMPARE(perToken(m120.layout, 128), 18u * 2048);
        QCOMPARE(source(m120, "layers"), std::string("layer_types: one entry per layer"));
    }

    void deepseek() {
        // MLA: per token per layer kv_lora_rank + qk_rope_head_dim = 512 + 64 = 576 elements, 1,152 B.
        // V2: 60 layers: 69,120 B per token.
        const ImportedModel v2 = load(QStringLiteral("deepseek-v2.json"));
        QCOMPARE(layers(v2, LayerKind::Mla), 60u);
        QCOMPARE(bytes(v2.layout, 4096), 283'115'520u);        // 4096 * 69,120
        QCOMPARE(bytes(v2.layout, 163840), 11'324'620'800u);   // 163840 * 69,120
        // V3: 61 layers: 70,272 B per token.
        const ImportedModel v3 = load(QStringLiteral("deepseek-v3.json"));
        QCOMPARE(bytes(v3.layout, 4096), 287'834'112u);        // 4096 * 70,272
        QCOMPARE(bytes(v3.layout, 163840), 11'513'364'480u);   // 163840 * 70,272
        QCOMPARE(bytes(v3.layout, 4096, DType::fp8), 143'917'056u);
        // Sized as MHA of 128 heads with K 128 + 64 = 192 and V 128 wide: 128 * 320 * 2 * 61 B per
        // token = 4,997,120, about 71x the real cache.
        QCOMPARE(perToken(kvscope::asMha(v3.layout), 1), 4'997'120u);
        QCOMPARE(source(v3, "k_head_dim"),
                 std::string("derived as qk_nope_head_dim + qk_rope_head_dim = 128 + 64"));
        QCOMPARE(source(v3, "kv_lora_rank"), std::string("kv_lora_rank"));
        QCOMPARE(v3.find("layers")->value, std::string("61 mla"));
    }

    void glm45() {
        // 92 layers, 96 heads, 8 K/V heads, head_dim 128 (explicit; 5120 / 96 is not whole).
        // Per token: 92 * 8 * 256 * 2 = 376,832 B.
        const ImportedModel m = load(QStringLiteral("glm-4.5.json"));
        QCOMPARE(bytes(m.layout, 4096), 1'543'503'872u);       // 4096 * 376,832
        QCOMPARE(bytes(m.layout, 131072), 49'392'123'904u);    // 131072 * 376,832
        QCOMPARE(kvscope::validLayoutGroupCounts(m.layout).back(), 96u);
    }

    void falcon7b() {
        // multi_query true: one K/V head; head_dim 4544 / 71 = 64; 32 layers.
        // Per token: 32 * 1 * 128 * 2 = 8,192 B.
        const ImportedModel m = load(QStringLiteral("falcon-7b.json"));
        QCOMPARE(bytes(m.layout, 2048), 16'777'216u);           // 2048 * 8192
        QCOMPARE(perToken(kvscope::asMha(m.layout), 1), 581'632u);  // 71 heads: 32 * 71 * 128 * 2
        QVERIFY(contains(source(m, "n_kv_heads"), "multi_query"));
        QCOMPARE(kvscope::validLayoutGroupCounts(m.layout), (std::vector<std::uint32_t>{1, 71}));
    }

    // ---- Hybrid and state-space models (states in the KV dtype, bf16, unless the model fixes one) ----

    void jamba() {
        // attn_layer_offset 4, attn_layer_period 8: layers 4, 12, 20, 28 attend (4), 28 are Mamba-1.
        // Attention: 8 K/V heads of 4096 / 32 = 128: 8 * 256 * 2 B = 4,096 B per token per layer, 16,384 for 4.
        // Mamba-1: d_inner = mamba_expand * hidden_size = 2 * 4096 = 8,192; SSM 8,192 * 16 = 131,072,
        // conv 8,192 * (4 - 1) = 24,576: 155,648 elements * 2 B = 311,296 B a layer, 8,716,288 for 28.
        const ImportedModel m = load(QStringLiteral("jamba-v0.1.json"));
        QCOMPARE(layers(m, LayerKind::Full), 4u);
        QCOMPARE(layers(m, LayerKind::Linear), 28u);
        QCOMPARE(m.layout.groups[0].count, 4u);  // layers 0-3 are Mamba
        QCOMPARE(m.layout.groups[0].spec, kvscope::mamba1Layer(8192, 16, 4));
        QCOMPARE(m.layout.groups[1].spec.kind, LayerKind::Full);
        QCOMPARE(bytes(m.layout, 1), 8'716'288u + 16'384u);
        QCOMPARE(bytes(m.layout, 8192), 142'934'016u);  // 8,192 * 16,384 + 8,716,288
        QCOMPARE(m.max_model_len.value(), 262'144u);
        QVERIFY(contains(source(m, "layers"), "(i - 4) % 8 == 0"));
        QVERIFY(contains(source(m, "linear_recurrent_state"), "mamba_expand * hidden_size = 2 * 4096"));
        QCOMPARE(m.find("layers")->value, std::string("28 linear + 4 full"));
        QVERIFY(m.warnings.empty());
    }

    void nemotronH() {
        // hybrid_override_pattern: 24 'M' (Mamba-2), 4 '*' (attention), 24 '-' (MLP, no cache): 52 layers.
        // Attention: 8 K/V heads of 128 (attention_head_dim): 4,096 B per token per layer, 16,384 for 4.
        // Mamba-2: d_inner = mamba_num_heads * mamba_head_dim = 128 * 64 = 8,192; conv
        // (8,192 + 2 * 8 * 128) * 3 = 30,720 bf16 elements = 61,440 B; SSM 128 * 64 * 128 = 1,048,576
        // elements in float32 (no mamba_ssm_cache_dtype: vLLM's default) = 4,194,304 B. 4,255,744 B a
        // layer, 102,137,856 for 24.
        const ImportedModel m = load(QStringLiteral("nemotron-h-8b-base-8k.json"));
        QCOMPARE(kvscope::layerCount(m.layout), 52u);
        QCOMPARE(layers(m, LayerKind::Linear), 24u);
        QCOMPARE(layers(m, LayerKind::Full), 4u);
        QCOMPARE(layers(m, LayerKind::Mlp), 24u);
        kvscope::LayerSpec mamba = kvscope::mamba2Layer(8192, 8, 128, 64, 128, 4);
        mamba.recurrent_state_dtype = DType::fp32;
        QCOMPARE(m.layout.groups[0].spec, mamba);
        QCOMPARE(m.layout.groups[1].spec.kind, LayerKind::Mlp);
        QCOMPARE(bytes(m.layout, 1), 102'137'856u + 16'384u);
        QCOMPARE(bytes(m.layout, 8192), 236'355'584u);  // 8,192 * 16,384 + 102,137,856
        QCOMPARE(m.max_model_len.value(), 8'192u);
        QVERIFY(contains(source(m, "linear_state_dtype"), "float32"));
        QCOMPARE(m.find("layers")->value, std::string("24 linear + 4 full + 24 mlp"));
        // A config that names the SSM dtype keeps it there.
        QJsonObject bf16 = object(QStringLiteral("nemotron-h-8b-base-8k.json"));
        bf16.insert(QStringLiteral("mamba_ssm_cache_dtype"), QStringLiteral("bfloat16"));
        QCOMPARE(ConfigImporter::fromObject(bf16)->layout.groups[0].spec.recurrent_state_dtype.value(), DType::bf16);
    }

    void falconH1() {
        // Every layer: attention (2 K/V heads of 128: 1,024 B per token) and Mamba-2 beside it.
        // Mamba-2: d_inner = mamba_d_ssm = 3,072 = 24 heads * 128; conv (3,072 + 2 * 1 * 256) * 3 = 10,752,
        // SSM 24 * 128 * 256 = 786,432: 797,184 elements * 2 B = 1,594,368 B a layer, 70,152,192 for 44.
        const ImportedModel m = load(QStringLiteral("falcon-h1-7b-instruct.json"));
        QCOMPARE(kvscope::layerCount(m.layout), 44u);  // the states beside attention are no layers of their own
        QCOMPARE(layers(m, LayerKind::Full), 44u);
        QCOMPARE(layers(m, LayerKind::Linear), 44u);
        kvscope::LayerSpec mamba = kvscope::mamba2Layer(3072, 1, 24, 128, 256, 4);
        mamba.beside_attention = true;
        QCOMPARE(m.layout.groups[1].spec, mamba);
        QCOMPARE(bytes(m.layout, 1), 70'152'192u + 45'056u);
        QCOMPARE(bytes(m.layout, 4096), 254'701'568u);  // 4,096 * 44 * 1,024 + 70,152,192
        QCOMPARE(m.find("layers")->value, std::string("44 full + 44 linear beside attention"));
        QCOMPARE(m.max_model_len.value(), 262'144u);
    }

    void graniteHybrid() {
        // layer_types: attention at 5, 15, 25, 35 (4), 36 Mamba-2. Heads are hidden_size / 32 = 128 wide
        // (vLLM and llama.cpp ignore head_dim here): 8 K/V heads, 4,096 B per token per layer.
        // Mamba-2: d_inner = mamba_expand * hidden_size = 8,192 = 128 heads * 64; conv (8,192 + 2 * 128) * 3
        // = 25,344, SSM 128 * 64 * 128 = 1,048,576: 1,073,920 elements * 2 B = 2,147,840 B, 77,322,240 for 36.
        const ImportedModel m = load(QStringLiteral("granite-4.0-h-small.json"));
        QCOMPARE(layers(m, LayerKind::Full), 4u);
        QCOMPARE(layers(m, LayerKind::Linear), 36u);
        QCOMPARE(m.layout.groups[0].spec, kvscope::mamba2Layer(8192, 1, 128, 64, 128, 4));
        QCOMPARE(bytes(m.layout, 8192), 211'539'968u);  // 8,192 * 16,384 + 77,322,240
        QVERIFY(m.layout.hints.vllm_unsupported.empty());
        // Bamba reads the same way, and vLLM no longer runs it.
        QJsonObject bamba = object(QStringLiteral("granite-4.0-h-small.json"));
        bamba.insert(QStringLiteral("model_type"), QStringLiteral("bamba"));
        QVERIFY(contains(ConfigImporter::fromObject(bamba)->layout.hints.vllm_unsupported, "0.23.0"));
        // attn_layer_indices says the same as layer_types.
        bamba.remove(QStringLiteral("layer_types"));
        bamba.insert(QStringLiteral("attn_layer_indices"), QJsonArray{5, 15, 25, 35});
        QCOMPARE(ConfigImporter::fromObject(bamba)->layout, [&] {
            kvscope::ModelLayout expected = load(QStringLiteral("granite-4.0-h-small.json")).layout;
            expected.hints.vllm_unsupported = "BambaForCausalLM was last supported in vLLM 0.23.0";
            return expected;
        }());
    }

    void lfm2() {
        // layer_types: full_attention at 2, 5, 8, 10, 12, 14 (6), 10 short convolutions.
        // Attention: 8 K/V heads of 2048 / 32 = 64: 2,048 B per token per layer, 12,288 for 6.
        // Short conv: conv_dim 2,048 (= hidden_size) * (conv_L_cache 3 - 1) = 4,096 elements * 2 B, 81,920 for 10.
        const ImportedModel m = load(QStringLiteral("lfm2-1.2b.json"));
        QCOMPARE(layers(m, LayerKind::Full), 6u);
        QCOMPARE(layers(m, LayerKind::Linear), 10u);
        QCOMPARE(m.layout.groups[0].spec, kvscope::shortConvLayer(2048, 3));
        QCOMPARE(bytes(m.layout, 4096), 50'413'568u);  // 4,096 * 12,288 + 81,920
        QCOMPARE(m.max_model_len.value(), 128'000u);
    }

    void miniMax() {
        // attn_type_list: 1 (softmax) at 7, 15, ..., 79 (10), 70 lightning layers.
        // Attention: 8 K/V heads of 128: 4,096 B per token per layer, 40,960 for 10.
        // Lightning: 64 heads * 128 * 128 = 1,048,576 elements * 2 B = 2,097,152 B, 146,800,640 for 70.
        const ImportedModel m = load(QStringLiteral("minimax-text-01.json"));
        QCOMPARE(layers(m, LayerKind::Full), 10u);
        QCOMPARE(layers(m, LayerKind::Linear), 70u);
        QCOMPARE(m.layout.groups[0].spec, kvscope::lightningAttentionLayer(64, 128));
        QCOMPARE(bytes(m.layout, 4096), 314'572'800u);  // 4,096 * 40,960 + 146,800,640
        QCOMPARE(m.max_model_len.value(), 10'240'000u);
        QVERIFY(contains(m.layout.hints.vllm_unsupported, "MiniMaxText01ForCausalLM was last supported in vLLM 0.23.0"));
        QVERIFY(m.layout.hints.llamacpp_unsupported.empty());  // llama.cpp runs it since #27018
    }

    void pureStateSpaceModels() {
        // Falcon-Mamba 7B: 64 Mamba-1 layers, intermediate_size 8,192, state_size 16, conv_kernel 4:
        // (8,192 * 16 + 8,192 * 3) * 2 B = 311,296 B a layer, 19,922,944 B whatever the context.
        const ImportedModel m = ConfigImporter::fromJson(R"({"model_type": "falcon_mamba", "hidden_size": 4096,
            "num_hidden_layers": 64, "intermediate_size": 8192, "state_size": 16, "conv_kernel": 4, "expand": 16,
            "vocab_size": 65024})").value();
        QCOMPARE(layers(m, LayerKind::Linear), 64u);
        QCOMPARE(bytes(m.layout, 1), 19'922'944u);
        QCOMPARE(bytes(m.layout, 100'000), 19'922'944u);
        // Mamba-2 2.7B-style: d_inner 2 * 2560 = 5,120 = 80 heads * 64, 1 group, state 128, kernel 4:
        // conv (5,120 + 256) * 3 = 16,128, SSM 80 * 64 * 128 = 655,360: 671,488 * 2 B = 1,342,976 B a layer.
        const ImportedModel m2 = ConfigImporter::fromJson(R"({"model_type": "mamba2", "hidden_size": 2560,
            "num_hidden_layers": 64, "expand": 2, "num_heads": 80, "head_dim": 64, "n_groups": 1,
            "state_size": 128, "conv_kernel": 4})").value();
        QCOMPARE(bytes(m2.layout, 1), 64u * 1'342'976u);
    }

    void llama4Scout() {
        // no_rope_layers is empty: transformers' interval 4 makes layers 3, 7, ..., 47 NoPE (global, 12) and
        // the other 36 chunked over attention_chunk_size 8,192. 8 K/V heads of 128: 4,096 B per token per layer.
        const ImportedModel m = load(QStringLiteral("llama-4-scout-17b-16e-instruct.json"));
        QCOMPARE(layers(m, LayerKind::Chunked), 36u);
        QCOMPARE(layers(m, LayerKind::Full), 12u);
        QCOMPARE(m.layout.groups[0].spec, kvscope::chunkedLayer(40, 8, 128, 128, 8192));
        QCOMPARE(m.layout.groups[0].count, 3u);
        QCOMPARE(bytes(m.layout, 4096), 805'306'368u);        // 48 * 4,096 * 4,096
        QCOMPARE(bytes(m.layout, 131072), 7'650'410'496u);    // (12 * 131,072 + 36 * 8,192) * 4,096
        QCOMPARE(m.max_model_len.value(), 10'485'760u);       // llama3 RoPE: vLLM applies no factor
        // An explicit list says which layers have RoPE (1: chunked) and which not (0: global).
        QJsonObject two = object(QStringLiteral("llama-4-scout-17b-16e-instruct.json"));
        QJsonObject text = two.value(QStringLiteral("text_config")).toObject();
        text.insert(QStringLiteral("num_hidden_layers"), 2);
        text.insert(QStringLiteral("no_rope_layers"), QJsonArray{0, 1});
        two.insert(QStringLiteral("text_config"), text);
        const ImportedModel m2 = ConfigImporter::fromObject(two).value();
        QCOMPARE(m2.layout.groups[0].spec.kind, LayerKind::Full);
        QCOMPARE(m2.layout.groups[1].spec.kind, LayerKind::Chunked);
        // llama.cpp would make both layers chunked (every fourth layer global): said, not hidden.
        QVERIFY(m.warnings.empty());
        QCOMPARE(m2.warnings.size(), std::size_t{1});
        QVERIFY2(contains(m2.warnings[0], "llama.cpp makes every fourth layer global"), m2.warnings[0].c_str());
        // A chunk other than 8,192: llama.cpp ignores it.
        text.insert(QStringLiteral("attention_chunk_size"), 4096);
        text.insert(QStringLiteral("no_rope_layers"), QJsonArray{1, 1, 1, 0});
        text.insert(QStringLiteral("num_hidden_layers"), 4);
        two.insert(QStringLiteral("text_config"), text);
        const ImportedModel m3 = ConfigImporter::fromObject(two).value();
        QCOMPARE(m3.layout.groups[0].spec, kvscope::chunkedLayer(40, 8, 128, 128, 4096));
        QCOMPARE(m3.warnings.size(), std::size_t{1});
        QVERIFY2(contains(m3.warnings[0], "llama.cpp always uses chunks of 8,192 tokens"), m3.warnings[0].c_str());
        // No chunk at all: every layer global, as vLLM runs it; llama.cpp would still chunk unless
        // layer_types says every layer is full attention.
        text.insert(QStringLiteral("attention_chunk_size"), QJsonValue::Null);
        two.insert(QStringLiteral("text_config"), text);
        const ImportedModel global = ConfigImporter::fromObject(two).value();
        QCOMPARE(layers(global, LayerKind::Full), 4u);
        QCOMPARE(global.warnings.size(), std::size_t{1});
        QVERIFY2(contains(global.warnings[0], "llama.cpp still makes three layers of every four chunked"),
                 global.warnings[0].c_str());
        text.insert(QStringLiteral("layer_types"), QJsonArray{QStringLiteral("full_attention"), QStringLiteral("full_attention"),
                                                               QStringLiteral("full_attention"), QStringLiteral("full_attention")});
        two.insert(QStringLiteral("text_config"), text);
        QVERIFY(ConfigImporter::fromObject(two).value().warnings.empty());
    }

    void chunkedLayersHaveTheWhatIfs() {
        // Llama 4 Scout held whole ("without sliding window"): 48 * 131,072 * 4,096 B at 131,072 tokens.
        const ImportedModel m = load(QStringLiteral("llama-4-scout-17b-16e-instruct.json"));
        const auto estimate = ModelEstimate::compute(m, Workload{131072, 1, DType::bf16});
        QVERIFY(estimate.ok());
        const auto it = std::find_if(estimate->variants.begin(), estimate->variants.end(),
                                     [](const ModelEstimate::Variant &v) { return v.key == "no_sliding_window"; });
        QVERIFY(it != estimate->variants.end());
        QCOMPARE(it->bytes.value(), 25'769'803'776u);
        // A pure state-space model has no attention to change: no what-ifs.
        QVERIFY(ModelEstimate::variantLayouts(load(QStringLiteral("nemotron-h-8b-base-8k.json")).layout).size() > 0);
        const ImportedModel mamba = ConfigImporter::fromJson(R"({"model_type": "mamba", "hidden_size": 768,
            "num_hidden_layers": 24, "intermediate_size": 1536, "state_size": 16, "conv_kernel": 4})").value();
        QVERIFY(ModelEstimate::variantLayouts(mamba.layout).empty());
    }

    void qwen35FixesItsSsmDtype() {
        const ImportedModel m = ConfigImporter::fromJson(R"({"model_type": "qwen3_5_text", "hidden_size": 2048,
            "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256, "num_hidden_layers": 4,
            "layer_types": ["linear_attention", "linear_attention", "linear_attention", "full_attention"],
            "linear_num_key_heads": 16, "linear_num_value_heads": 32, "linear_key_head_dim": 128,
            "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4, "mamba_ssm_dtype": "float32",
            "max_position_embeddings": 262144})").value();
        kvscope::LayerSpec gdn = kvscope::gatedDeltaNetLayer(16, 32, 128, 128, 4);
        gdn.recurrent_state_dtype = DType::fp32;
        QCOMPARE(m.layout.groups[0].spec, gdn);
        QCOMPARE(m.layout.groups[0].count, 3u);
    }

    void engineHintsFollowTheArchitecture() {
        // llama.cpp reads no window for llama (Mistral 7B v0.1 converts to it), qwen2 and qwen3, and turns
        // Phi-3's off; Gemma keeps its windows.
        QVERIFY(!load(QStringLiteral("mistral-7b-v0.1.json")).layout.hints.llamacpp_windows);
        QVERIFY(!load(QStringLiteral("qwen2.5-7b.json")).layout.hints.llamacpp_windows);
        QVERIFY(!load(QStringLiteral("qwen3-8b.json")).layout.hints.llamacpp_windows);
        QVERIFY(!load(QStringLiteral("qwen3-235b-a22b.json")).layout.hints.llamacpp_windows);
        QVERIFY(!ConfigImporter::fromJson(R"({"model_type": "phi3", "hidden_size": 3072, "num_attention_heads": 32,
            "num_hidden_layers": 32, "sliding_window": 2047, "max_position_embeddings": 4096})")
                     ->layout.hints.llamacpp_windows);
        QVERIFY(load(QStringLiteral("gemma-3-27b.json")).layout.hints.llamacpp_windows);
        QVERIFY(load(QStringLiteral("gpt-oss-120b.json")).layout.hints.llamacpp_windows);
    }

    // ---- max_model_len, as vLLM derives it ----

    void maxModelLen_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<quint64>("length");
        QTest::addColumn<QString>("says");
        QTest::newRow("Qwen3-235B-A22B") << QStringLiteral("qwen3-235b-a22b.json") << quint64{40'960}
                                         << QStringLiteral("max_position_embeddings");
        QTest::newRow("Llama 3.1: llama3 RoPE, no factor")
            << QStringLiteral("llama-3.1-8b.json") << quint64{131'072} << QStringLiteral("of type llama3");
        QTest::newRow("DeepSeek-V3: yarn, 4,096 * 40")
            << QStringLiteral("deepseek-v3.json") << quint64{163'840}
            << QStringLiteral("rope_scaling.original_max_position_embeddings (yarn's original length");
        QTest::newRow("GPT-2: n_positions") << QStringLiteral("gpt2.json") << quint64{1'024} << QStringLiteral("n_positions");
        QTest::newRow("Gemma 3: already scaled")
            << QStringLiteral("gemma-3-27b.json") << quint64{131'072} << QStringLiteral("already scaled");
    }
    void maxModelLen() {
        QFETCH(QString, file);
        QFETCH(quint64, length);
        QFETCH(QString, says);
        const ImportedModel m = load(file);
        QCOMPARE(m.max_model_len.value(), length);
        QVERIFY2(contains(source(m, "max_model_len"), says.toStdString()), source(m, "max_model_len").c_str());
    }

    void maxModelLenRules() {
        const QByteArray base = R"({"model_type": "llama", "hidden_size": 1024, "num_attention_heads": 8,
            "num_hidden_layers": 2)";
        const auto of = [&](const QByteArray &rest) { return ConfigImporter::fromJson(QByteArray(base + rest + "}")).value(); };
        // No length key at all: vLLM assumes 2,048, with a warning.
        const ImportedModel none = of("");
        QCOMPARE(none.max_model_len.value(), 2'048u);
        QVERIFY(std::any_of(none.warnings.begin(), none.warnings.end(),
                            [](const std::string &w) { return w.find("vLLM assumes 2,048") != std::string::npos; }));
        // The smallest key wins; model_max_length wins over all.
        QCOMPARE(of(R"(, "max_position_embeddings": 8192, "seq_length": 4096)").max_model_len.value(), 4'096u);
        QCOMPARE(of(R"(, "max_position_embeddings": 8192, "model_max_length": 131072)").max_model_len.value(),
                 131'072u);
        // Linear and dynamic scaling multiply; yarn multiplies its original length.
        QCOMPARE(of(R"(, "max_position_embeddings": 4096, "rope_scaling": {"type": "linear", "factor": 4.0})")
                     .max_model_len.value(),
                 16'384u);
        QCOMPARE(of(R"(, "max_position_embeddings": 40960, "rope_parameters": {"rope_type": "yarn", "factor": 4.0,
                     "original_max_position_embeddings": 32768})")
                     .max_model_len.value(),
                 131'072u);
        // longrope: the limit is the derived length; vLLM's default is the original one, and the
        // provenance says so.
        const ImportedModel phi = of(R"(, "max_position_embeddings": 131072, "original_max_position_embeddings": 4096,
                                         "rope_scaling": {"type": "longrope", "long_factor": [1.0], "short_factor": [1.0]})");
        QCOMPARE(phi.max_model_len.value(), 131'072u);
        QVERIFY2(contains(source(phi, "max_model_len"), "original_max_position_embeddings (4,096)"),
                 source(phi, "max_model_len").c_str());
        // A malformed factor is an error naming it.
        QCOMPARE(importError(QByteArray(base + R"(, "max_position_embeddings": 4096, "rope_scaling": {"type": "linear",
                                        "factor": "x"}})"))
                     .field,
                 std::string("rope_scaling"));
    }

    // ---- What KV Scope does not understand is refused, naming the field ----

    void hostileHybridConfigs_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("says");
        const QByteArray jamba = R"("model_type": "jamba", "hidden_size": 4096, "num_attention_heads": 32,
            "num_key_value_heads": 8, "num_hidden_layers": 8)";
        QTest::newRow("jamba offset >= period")
            << ("{" + jamba + R"(, "attn_layer_offset": 8, "attn_layer_period": 8})") << QStringLiteral("attn_layer_offset")
            << QStringLiteral("must be smaller than attn_layer_period");
        QTest::newRow("jamba list against period")
            << ("{" + jamba + R"(, "attn_layer_offset": 4, "attn_layer_period": 8, "layers_block_type":
                ["attention", "mamba", "mamba", "mamba", "mamba", "mamba", "mamba", "mamba"]})")
            << QStringLiteral("layers_block_type") << QStringLiteral("disagree at layer 0");
        const QByteArray nemotron = R"("model_type": "nemotron_h", "hidden_size": 1024, "num_attention_heads": 8,
            "num_hidden_layers": 4, "mamba_num_heads": 16, "mamba_head_dim": 64, "n_groups": 2, "conv_kernel": 4)";
        QTest::newRow("pattern too short")
            << ("{" + nemotron + R"(, "ssm_state_size": 128, "hybrid_override_pattern": "M*M"})")
            << QStringLiteral("hybrid_override_pattern") << QStringLiteral("has 3 characters but the model has 4 layers");
        QTest::newRow("pattern too long")
            << ("{" + nemotron + R"(, "ssm_state_size": 128, "hybrid_override_pattern": "M*M-M"})")
            << QStringLiteral("hybrid_override_pattern") << QStringLiteral("has 5 characters");
        QTest::newRow("unknown pattern character")
            << ("{" + nemotron + R"(, "ssm_state_size": 128, "hybrid_override_pattern": "M*X-"})")
            << QStringLiteral("hybrid_override_pattern") << QStringLiteral("[2] is 'X', a layer KV Scope does not know");
        QTest::newRow("pattern against layers_block_type")
            << ("{" + nemotron + R"(, "ssm_state_size": 128, "hybrid_override_pattern": "M*M-",
                "layers_block_type": ["mamba", "attention", "mamba", "mamba"]})")
            << QStringLiteral("hybrid_override_pattern") << QStringLiteral("disagree at layer 3");
        QTest::newRow("no pattern") << ("{" + nemotron + R"(, "ssm_state_size": 128})")
                                    << QStringLiteral("hybrid_override_pattern") << QStringLiteral("is missing");
        QTest::newRow("zero state")
            << ("{" + nemotron + R"(, "ssm_state_size": 0, "hybrid_override_pattern": "M*M-"})")
            << QStringLiteral("ssm_state_size") << QStringLiteral("from 1 to");
        QTest::newRow("huge state")
            << QByteArray(R"({"model_type": "nemotron_h", "hidden_size": 1024, "num_attention_heads": 8,
                "num_hidden_layers": 2, "hybrid_override_pattern": "M*", "mamba_num_heads": 1024,
                "mamba_head_dim": 65536, "n_groups": 1, "ssm_state_size": 65536, "conv_kernel": 4})")
            << QStringLiteral("mamba_num_heads") << QStringLiteral("more than 2^40 elements");
        QTest::newRow("groups not dividing heads")
            << ("{" + QByteArray(nemotron).replace(R"("n_groups": 2)", R"("n_groups": 3)") +
                R"(, "ssm_state_size": 128, "hybrid_override_pattern": "M*M-"})")
            << QStringLiteral("n_groups") << QStringLiteral("must divide mamba_num_heads");
        QTest::newRow("unknown SSM dtype")
            << ("{" + nemotron +
                R"(, "ssm_state_size": 128, "hybrid_override_pattern": "M*M-", "mamba_ssm_cache_dtype": "int3"})")
            << QStringLiteral("mamba_ssm_cache_dtype") << QStringLiteral("float32, bfloat16 or float16");
        const QByteArray granite = R"("model_type": "granitemoehybrid", "hidden_size": 1024,
            "num_attention_heads": 8, "num_hidden_layers": 2, "mamba_expand": 2, "mamba_n_groups": 1,
            "mamba_d_state": 128, "mamba_d_conv": 4)";
        QTest::newRow("heads not the inner size")
            << ("{" + granite + R"(, "mamba_n_heads": 16, "mamba_d_head": 64, "layer_types": ["mamba", "attention"]})")
            << QStringLiteral("mamba_n_heads") << QStringLiteral("must equal the Mamba-2 inner size");
        QTest::newRow("granite layer type")
            << ("{" + granite + R"(, "mamba_n_heads": 32, "mamba_d_head": 64, "layer_types": ["mamba", "moe"]})")
            << QStringLiteral("layer_types") << QStringLiteral("\"moe\", a layer type KV Scope does not know");
        QTest::newRow("granite without a pattern") << ("{" + granite + R"(, "mamba_n_heads": 32, "mamba_d_head": 64})")
                                                   << QStringLiteral("layer_types")
                                                   << QStringLiteral("is missing (also looked for attn_layer_indices)");
        QTest::newRow("falcon-h1 without attention in some layers")
            << QByteArray(R"({"model_type": "falcon_h1", "hidden_size": 1024, "num_attention_heads": 8,
                "num_hidden_layers": 2, "attn_layer_indices": [1]})")
            << QStringLiteral("attn_layer_indices") << QStringLiteral("in every layer");
        QTest::newRow("lfm2 conv_dim against hidden_size")
            << QByteArray(R"({"model_type": "lfm2", "hidden_size": 16, "conv_dim": 1024, "conv_L_cache": 3,
                "num_attention_heads": 4, "num_hidden_layers": 2, "layer_types": ["conv", "full_attention"]})")
            << QStringLiteral("conv_dim") << QStringLiteral("KV Scope cannot follow both");
        QTest::newRow("minimax list length")
            << QByteArray(R"({"model_type": "minimax_text_01", "hidden_size": 1024, "num_attention_heads": 8,
                "num_hidden_layers": 3, "attn_type_list": [0, 1]})")
            << QStringLiteral("attn_type_list") << QStringLiteral("for each of the 3 layers");
        QTest::newRow("minimax attention type 2")
            << QByteArray(R"({"model_type": "minimax_text_01", "hidden_size": 1024, "num_attention_heads": 8,
                "num_hidden_layers": 2, "attn_type_list": [0, 2]})")
            << QStringLiteral("attn_type_list[1]") << QStringLiteral("from 0 to 1");
        QTest::newRow("unknown layer type")
            << QByteArray(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 1, "num_hidden_layers": 2,
                "layer_types": ["full_attention", "mamba"]})")
            << QStringLiteral("layer_types") << QStringLiteral("layer_types[1] is \"mamba\", a layer type KV Scope does not know");
        QTest::newRow("linear layers of an unknown state")
            << QByteArray(R"({"model_type": "mystery", "hidden_size": 64, "num_attention_heads": 1, "num_hidden_layers": 2,
                "layer_types": ["linear_attention", "full_attention"]})")
            << QStringLiteral("layer_types") << QStringLiteral("does not know their state");
    }
    void hostileHybridConfigs() {
        expectRefusal();
    }

    void unknownArchitectureLoadsWithWarnings() {
        const ImportedModel m = ConfigImporter::fromJson(
                                    R"({"model_type": "mystery", "hidden_size": 1024, "num_attention_heads": 8,
                                        "num_hidden_layers": 4})")
                                    .value();
        QCOMPARE(bytes(m.layout, 10), 4u * 10 * 8 * 256 * 2);  // MHA, head_dim 128
        QVERIFY(m.warnings.size() >= 3);
        QVERIFY(contains(m.warnings[0], "mystery"));
        bool kv_warned = false;
        for (const std::string &w : m.warnings) kv_warned = kv_warned || contains(w, "n_kv_heads");
        QVERIFY(kv_warned);
    }

    void sharedLayers() {
        // Gemma 3n style: the last num_kv_shared_layers layers reuse earlier K/V.
        const ImportedModel m = ConfigImporter::fromJson(
                                    R"({"model_type": "llama", "hidden_size": 1024, "num_attention_heads": 8,
                                        "num_key_value_heads": 2, "num_hidden_layers": 30,
                                        "num_kv_shared_layers": 10})")
                                    .value();
        QCOMPARE(layers(m, LayerKind::Shared), 10u);
        QCOMPARE(bytes(m.layout, 10), 20u * 10 * 2 * 256 * 2);
    }

    void missingKeys_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("says");
        QTest::newRow("layers") << QByteArray(R"({"hidden_size": 4096, "num_attention_heads": 32})")
                                << QStringLiteral("num_hidden_layers") << QStringLiteral("num_hidden_layers is missing");
        QTest::newRow("heads") << QByteArray(R"({"hidden_size": 4096, "num_hidden_layers": 32})")
                               << QStringLiteral("num_attention_heads")
                               << QStringLiteral("num_attention_heads is missing");
        QTest::newRow("hidden") << QByteArray(R"({"num_attention_heads": 32, "num_hidden_layers": 32})")
                                << QStringLiteral("hidden_size") << QStringLiteral("head_dim is not given");
        QTest::newRow("text_config keys") << QByteArray(R"({"text_config": {"hidden_size": 64}})")
                                          << QStringLiteral("num_hidden_layers")
                                          << QStringLiteral("text_config.num_hidden_layers is missing");
        QTest::newRow("window") << QByteArray(R"({"model_type": "gpt_oss", "hidden_size": 64, "num_attention_heads": 1,
                                              "num_hidden_layers": 2,
                                              "layer_types": ["sliding_attention", "full_attention"]})")
                                << QStringLiteral("sliding_window") << QStringLiteral("sliding layers");
        QTest::newRow("mla rope") << QByteArray(R"({"hidden_size": 64, "num_attention_heads": 1, "num_hidden_layers": 2,
                                                "kv_lora_rank": 512})")
                                  << QStringLiteral("qk_rope_head_dim") << QStringLiteral("qk_rope_head_dim is missing");
        QTest::newRow("linear heads")
            << QByteArray(R"({"model_type": "qwen3_next", "hidden_size": 64, "num_attention_heads": 1,
                          "num_hidden_layers": 4, "full_attention_interval": 4, "linear_num_key_heads": 16})")
            << QStringLiteral("linear_num_value_heads") << QStringLiteral("linear_num_value_heads is missing");
    }
    // Issue 16's contradictory configs, read from files as the window opens them.
    void contradictionsAreNamed() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto read = [&dir](const QByteArray &json) {
            QFile f(dir.filePath(QStringLiteral("config.json")));
            if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size()) qFatal("cannot write a fixture");
            f.close();
            return ConfigImporter::fromFile(f.fileName());
        };
        // A window past the longest position: warned, and read as written (the
        // sliding layers then hold every token, as full layers do).
        const auto window = read(R"({"model_type": "mistral", "hidden_size": 4096, "num_attention_heads": 32,
            "num_key_value_heads": 8, "num_hidden_layers": 32, "sliding_window": 1e9,
            "max_position_embeddings": 131072})");
        QVERIFY(window.ok());
        QCOMPARE(window->warnings.size(), std::size_t{1});
        QVERIFY(contains(window->warnings[0], "sliding_window 1,000,000,000 is longer than max_position_embeddings "
                                               "131,072"));
        QCOMPARE(window->layout.groups.at(0).spec.window, std::uint64_t{1'000'000'000});
        // A window within the positions says nothing.
        QVERIFY(read(R"({"model_type": "mistral", "hidden_size": 4096, "num_attention_heads": 32,
            "num_key_value_heads": 8, "num_hidden_layers": 32, "sliding_window": 4096,
            "max_position_embeddings": 131072})")->warnings.empty());

        // Every layer linear: refused, naming the range the layers allow.
        const auto linear = read(R"({"model_type": "qwen3_next", "hidden_size": 2048, "num_attention_heads": 16,
            "num_key_value_heads": 2, "head_dim": 256, "num_hidden_layers": 32, "full_attention_interval": 1000,
            "linear_num_key_heads": 16, "linear_num_value_heads": 32, "linear_key_head_dim": 128,
            "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4})");
        QVERIFY(!linear.ok());
        QCOMPARE(linear.error().field, std::string("full_attention_interval"));
        QVERIFY(contains(linear.error().message, "from 1 to 32"));
        // The last layer full is still a reading: 32 layers, interval 32.
        const auto last = read(R"({"model_type": "qwen3_next", "hidden_size": 2048, "num_attention_heads": 16,
            "num_key_value_heads": 2, "head_dim": 256, "num_hidden_layers": 32, "full_attention_interval": 32,
            "linear_num_key_heads": 16, "linear_num_value_heads": 32, "linear_key_head_dim": 128,
            "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4})");
        QVERIFY2(last.ok(), last.ok() ? "" : last.error().message.c_str());

        // MLA heads of no width, with qk_nope_head_dim given as 0 or missing.
        for (const QByteArray &nope : {QByteArray(R"("qk_nope_head_dim": 0, )"), QByteArray()}) {
            const auto mla = read(R"({"model_type": "deepseek_v3", "hidden_size": 7168, "num_attention_heads": 128,
                "num_hidden_layers": 61, "kv_lora_rank": 512, "qk_rope_head_dim": 0, )" + nope +
                                  R"("v_head_dim": 128})");
            QVERIFY(!mla.ok());
            QCOMPARE(mla.error().field, std::string("qk_rope_head_dim"));
            QVERIFY(contains(mla.error().message, "from 1 to 65,536"));
        }
    }

    void missingKeys() {
        expectRefusal();
    }

    void wrongTypesAndContradictions_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("says");
        const QByteArray base = R"("hidden_size": 4096, "num_hidden_layers": 32)";
        QTest::newRow("string heads") << (R"({"num_attention_heads": "32", )" + base + "}")
                                      << QStringLiteral("num_attention_heads") << QStringLiteral("not a string");
        QTest::newRow("fractional") << (R"({"num_attention_heads": 32.5, )" + base + "}")
                                    << QStringLiteral("num_attention_heads") << QStringLiteral("whole number");
        QTest::newRow("negative") << (R"({"num_attention_heads": -32, )" + base + "}")
                                  << QStringLiteral("num_attention_heads") << QStringLiteral("(got -32)");
        QTest::newRow("huge") << (R"({"num_attention_heads": 1e300, )" + base + "}")
                              << QStringLiteral("num_attention_heads") << QStringLiteral("whole number");
        QTest::newRow("zero") << (R"({"num_attention_heads": 0, )" + base + "}")
                              << QStringLiteral("num_attention_heads") << QStringLiteral("from 1 to 1,024");
        QTest::newRow("list") << (R"({"num_attention_heads": [32], )" + base + "}")
                              << QStringLiteral("num_attention_heads") << QStringLiteral("not a list");
        QTest::newRow("kv not dividing") << (R"({"num_attention_heads": 32, "num_key_value_heads": 5, )" + base + "}")
                                         << QStringLiteral("num_key_value_heads") << QStringLiteral("must divide");
        QTest::newRow("mqa vs kv") << (R"({"num_attention_heads": 32, "num_key_value_heads": 8, "multi_query": true, )" +
                                       base + "}")
                                   << QStringLiteral("num_key_value_heads") << QStringLiteral("multi_query is true");
        QTest::newRow("bool as string") << (R"({"num_attention_heads": 32, "multi_query": "yes", )" + base + "}")
                                        << QStringLiteral("multi_query") << QStringLiteral("true or false");
        QTest::newRow("aliases disagree") << (R"({"num_attention_heads": 32, "n_embd": 768, )" + base + "}")
                                          << QStringLiteral("hidden_size") << QStringLiteral("disagree");
        QTest::newRow("layer_types length")
            << (R"({"num_attention_heads": 32, "sliding_window": 8, "layer_types": ["full_attention"], )" + base + "}")
            << QStringLiteral("layer_types") << QStringLiteral("has 1 entries but the model has 32 layers");
        QTest::newRow("layer_types entry")
            << QByteArray(R"({"num_attention_heads": 1, "hidden_size": 64, "num_hidden_layers": 2,
                          "layer_types": ["full_attention", 7]})")
            << QStringLiteral("layer_types") << QStringLiteral("layer_types[1] must be a string");
        QTest::newRow("layer_types vs pattern")
            << QByteArray(R"({"num_attention_heads": 1, "hidden_size": 64, "num_hidden_layers": 2, "sliding_window": 8,
                          "sliding_window_pattern": 2, "layer_types": ["full_attention", "sliding_attention"]})")
            << QStringLiteral("layer_types") << QStringLiteral("disagree at layer 0");
        QTest::newRow("text_config type") << QByteArray(R"({"text_config": [1, 2]})") << QStringLiteral("text_config")
                                          << QStringLiteral("must be an object");
        QTest::newRow("too many layers") << QByteArray(R"({"num_attention_heads": 32, "hidden_size": 4096, "num_hidden_layers": 5000})")
                                  << QStringLiteral("num_hidden_layers") << QStringLiteral("from 1 to 1,024");
    }
    void wrongTypesAndContradictions() {
        expectRefusal();
    }

    void malformedJson() {
        QFile file(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/llama-3.1-8b.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray full = file.readAll();
        const kvscope::InputError truncated = importError(full.left(full.size() / 2));
        QCOMPARE(truncated.field, std::string("config.json"));
        QVERIFY2(contains(truncated.message, "not valid JSON"), truncated.message.c_str());
        // Every prefix is an error, never a crash or a half-read model.
        for (qsizetype n = 0; n < full.size() - 2; ++n) QVERIFY(!ConfigImporter::fromJson(full.left(n)).ok());

        QVERIFY(contains(importError("").message, "not valid JSON"));
        QVERIFY(contains(importError("[1, 2]").message, "one JSON object"));
        QVERIFY(contains(importError("null").message, "not valid JSON") ||
                contains(importError("null").message, "one JSON object"));
        QVERIFY(contains(importError("{\"a\": 1} trailing").message, "not valid JSON"));
        QVERIFY(!ConfigImporter::fromJson(QByteArray("{\"a\0\": 1}", 10)).ok());
    }

    void everyValueReplacedByEveryTypeNeverCrashes() {
        QFile file(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/qwen3-next-80b-a3b.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject original = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonValue replacements[] = {QJsonValue(), QJsonValue(QStringLiteral("x")), QJsonValue(-1),
                                           QJsonValue(0),  QJsonValue(1e300),                QJsonValue(0.5),
                                           QJsonValue(true), QJsonValue(QJsonArray{1}),      QJsonValue(QJsonObject{})};
        int errors = 0;
        for (const QString &key : original.keys()) {
            for (const QJsonValue &value : replacements) {
                QJsonObject changed = original;
                changed.insert(key, value);
                auto model = ConfigImporter::fromObject(changed);
                if (!model.ok()) {
                    ++errors;
                    QVERIFY(!model.error().message.empty());
                } else {
                    QVERIFY(kvscope::layoutTotalBytes(model->layout, Workload{4096, 1, DType::bf16}).ok());
                }
            }
        }
        QVERIFY(errors > 50);
    }

    void hugeFileIsRefusedBySize() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("config.json"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QByteArray chunk(1024 * 1024, ' ');
            file.write("{\"hidden_size\": 4096, \"padding\": \"");
            for (int i = 0; i < 50; ++i) file.write(chunk);
            file.write("\"}");
        }
        QElapsedTimer timer;
        timer.start();
        auto model = ConfigImporter::fromFile(path);
        QVERIFY(!model.ok());
        QVERIFY2(contains(model.error().message, "a model config is at most 16,777,216 bytes"),
                 model.error().message.c_str());
        QVERIFY(timer.elapsed() < 1000);

        // The same bytes handed over in memory are refused too.
        const QByteArray big(ConfigImporter::kMaxConfigBytes + 1, '[');
        QVERIFY(contains(ConfigImporter::fromJson(big).error().message, "at most"));
    }

    void deeplyNestedJsonIsAnError() {
        QElapsedTimer timer;
        timer.start();
        const QByteArray brackets(100000, '[');
        const kvscope::InputError e = importError(brackets);
        QCOMPARE(e.field, std::string("config.json"));
        QVERIFY2(contains(e.message, "not valid JSON"), e.message.c_str());
        QByteArray objects;
        for (int i = 0; i < 100000; ++i) objects += "{\"text_config\":";
        QVERIFY(!ConfigImporter::fromJson(objects).ok());
        QByteArray closed = QByteArray(5000, '[') + QByteArray(5000, ']');
        QVERIFY(!ConfigImporter::fromJson(closed).ok());
        QVERIFY(timer.elapsed() < 2000);
    }

    void filesThatAreNotConfigs() {
        QVERIFY(contains(ConfigImporter::fromFile(QStringLiteral("/nonexistent/config.json")).error().message,
                         "no such file"));
        QTemporaryDir dir;
        QVERIFY(contains(ConfigImporter::fromFile(dir.path()).error().message, "not a regular file"));
        QVERIFY(!ConfigImporter::fromFile(QStringLiteral("/dev/zero")).ok());
    }

    // Parameter counts, for the weights' memory: exact for dense decoders,
    // each equal to the published (Hugging Face safetensors) total.
    void parametersOfDenseConfigs_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<quint64>("parameters");
        QTest::newRow("gpt2") << QStringLiteral("gpt2.json") << quint64{124'439'808};
        QTest::newRow("llama-2-7b") << QStringLiteral("llama-2-7b.json") << quint64{6'738'415'616};
        QTest::newRow("llama-3-8b") << QStringLiteral("llama-3-8b.json") << quint64{8'030'261'248};
        QTest::newRow("llama-3.1-8b") << QStringLiteral("llama-3.1-8b.json") << quint64{8'030'261'248};
        QTest::newRow("llama-3.1-70b") << QStringLiteral("llama-3.1-70b.json") << quint64{70'553'706'496};
        QTest::newRow("mistral-7b-v0.1") << QStringLiteral("mistral-7b-v0.1.json") << quint64{7'241'732'096};
        QTest::newRow("qwen2.5-7b") << QStringLiteral("qwen2.5-7b.json") << quint64{7'615'616'512};
        QTest::newRow("qwen3-4b") << QStringLiteral("qwen3-4b.json") << quint64{4'022'468'096};  // tied
        QTest::newRow("qwen3-8b") << QStringLiteral("qwen3-8b.json") << quint64{8'190'735'360};
        QTest::newRow("gemma-2-9b") << QStringLiteral("gemma-2-9b.json") << quint64{9'241'705'984};
        // Tied, one LayerNorm per layer; the same count transformers and vLLM load.
        QTest::newRow("falcon-7b") << QStringLiteral("falcon-7b.json") << quint64{6'921'720'704};
    }
    void parametersOfDenseConfigs() {
        QFETCH(QString, file);
        QFETCH(quint64, parameters);
        const ImportedModel m = load(file);
        QCOMPARE(m.parameters.value_or(0), parameters);
        QVERIFY2(contains(source(m, "parameters"), "computed from"), source(m, "parameters").c_str());
        // Falcon 7B names no context length: the one warning is vLLM's 2,048.
        for (const std::string &w : m.warnings) QVERIFY2(contains(w, "vLLM assumes 2,048"), w.c_str());
    }

    void parametersFollowTheFamilysDefaults() {
        // GPT-2: n_inner null means 4 * n_embd; the head is tied.
        QVERIFY(contains(source(load(QStringLiteral("gpt2.json")), "parameters"), "4 * n_embd = 3072"));
        QVERIFY(contains(source(load(QStringLiteral("gpt2.json")), "parameters"), "tied"));
        QVERIFY(contains(source(load(QStringLiteral("llama-3.1-8b.json")), "parameters"),
                         "tie_word_embeddings absent: false for llama"));
        QVERIFY(contains(source(load(QStringLiteral("qwen2.5-7b.json")), "parameters"), "biases on Q, K and V"));
        // Small Qwen2.5 models tie their head through the key: Qwen2.5 0.5B's published 494,032,768.
        const QByteArray qwen05 = R"({"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864,
            "num_attention_heads": 14, "num_key_value_heads": 2, "num_hidden_layers": 24, "vocab_size": 151936,
            "tie_word_embeddings": true})";
        QCOMPARE(ConfigImporter::fromJson(qwen05)->parameters.value_or(0), 494'032'768u);
        // attention_bias adds Q, K, V and O biases to a Llama; tying removes the head.
        const QByteArray small = R"({"model_type": "llama", "hidden_size": 1024, "intermediate_size": 4096,
            "num_attention_heads": 8, "num_hidden_layers": 4, "vocab_size": 1000)";
        QCOMPARE(ConfigImporter::fromJson(QByteArray(small + "}"))->parameters.value_or(0), 69'166'080u);
        QCOMPARE(ConfigImporter::fromJson(QByteArray(small + R"(, "attention_bias": true})"))->parameters.value_or(0),
                 69'166'080u + 4 * (3 * 1024 + 1024));
        QCOMPARE(ConfigImporter::fromJson(QByteArray(small + R"(, "tie_word_embeddings": true})"))->parameters.value_or(0),
                 69'166'080u - 1000 * 1024);
        // A malformed optional key leaves the count unknown; the import still works.
        auto odd = ConfigImporter::fromJson(QByteArray(small + R"(, "tie_word_embeddings": "yes"})"));
        QVERIFY(odd.ok());
        QVERIFY(!odd->parameters);
        QVERIFY2(contains(source(*odd, "parameters"), "tie_word_embeddings"), source(*odd, "parameters").c_str());
        auto no_mlp = ConfigImporter::fromJson(R"({"model_type": "llama", "hidden_size": 1024,
            "num_attention_heads": 8, "num_hidden_layers": 4, "vocab_size": 1000})");
        QVERIFY(!no_mlp->parameters);
        QVERIFY(contains(source(*no_mlp, "parameters"), "intermediate_size is missing"));
    }

    void parametersOfExpertsMlaAndHybridsAreLeftToTheUser_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("why");
        QTest::newRow("gpt-oss") << QStringLiteral("gpt-oss-120b.json") << QStringLiteral("num_local_experts");
        QTest::newRow("qwen3-next") << QStringLiteral("qwen3-next-80b-a3b.json") << QStringLiteral("num_experts");
        QTest::newRow("deepseek-v3") << QStringLiteral("deepseek-v3.json") << QStringLiteral("mixture of experts");
        QTest::newRow("glm-4.5") << QStringLiteral("glm-4.5.json") << QStringLiteral("glm4_moe");
        QTest::newRow("gemma-3-27b") << QStringLiteral("gemma-3-27b.json") << QStringLiteral("vision_config");
    }
    void parametersOfExpertsMlaAndHybridsAreLeftToTheUser() {
        QFETCH(QString, file);
        QFETCH(QString, why);
        const ImportedModel m = load(file);
        QVERIFY(!m.parameters.has_value());
        const Provenance *p = m.find("parameters");
        QVERIFY(p != nullptr);
        QCOMPARE(p->value, std::string("unknown"));
        QVERIFY2(contains(p->source, why.toStdString()), p->source.c_str());
        QVERIFY(contains(p->source, "by hand"));
        for (const std::string &w : m.warnings) QVERIFY2(!contains(w, "parameters"), w.c_str());
    }

    void expertsWithoutACountGiveNoParameters() {
        // A Llama-shaped config that names experts is not a dense decoder.
        auto m = ConfigImporter::fromJson(R"({"model_type": "llama", "hidden_size": 1024, "intermediate_size": 4096,
            "num_attention_heads": 8, "num_hidden_layers": 4, "vocab_size": 1000, "num_local_experts": 8,
            "max_position_embeddings": 4096})");
        QVERIFY(m.ok());
        QVERIFY(!m->parameters);
        QVERIFY(m->warnings.empty());
        auto mla = ConfigImporter::fromJson(R"({"model_type": "mystery", "hidden_size": 1024,
            "intermediate_size": 4096, "num_attention_heads": 8, "num_hidden_layers": 4, "vocab_size": 1000,
            "kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128})");
        QVERIFY(mla.ok());
        QVERIFY(!mla->parameters);
        QVERIFY(contains(source(*mla, "parameters"), "kv_lora_rank"));
    }

    void parametersOfAnUnknownFamilyAreAWarnedGuess() {
        auto m = ConfigImporter::fromJson(R"({"model_type": "mystery", "hidden_size": 1024,
            "intermediate_size": 4096, "num_attention_heads": 8, "num_hidden_layers": 4, "vocab_size": 1000})");
        QCOMPARE(m->parameters.value_or(0), 69'166'080u);  // read as a Llama
        bool warned = false;
        for (const std::string &w : m->warnings) warned = warned || contains(w, "parameters");
        QVERIFY(warned);
    }
};

QTEST_GUILESS_MAIN(TestConfigImporter)
#include "tst_configimporter.moc"
