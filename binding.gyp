# The secondary build (node-gyp) of the same sources as native/CMakeLists.txt. gyp has no
# per-file flags, so each ISA is a static library with its own flags, linked into the addon.
{
  "target_defaults": {
    "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-math-errno"],
    "include_dirs": ["native/src"],
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"]
  },
  "targets": [
    {
      "target_name": "softac_isa_scalar",
      "type": "static_library",
      "sources": ["native/src/isa/kernels_scalar.cc"]
    },
    {
      "target_name": "softac",
      "sources": [
        "native/src/addon.cc",
        "native/src/dispatch.cc",
        "native/src/pool.cc",
        "native/src/ops.cc",
        "native/src/plan.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["softac_isa_scalar"],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["softac_isa_avx2", "softac_isa_avx512"],
          "defines": ["SOFTAC_HAVE_AVX2", "SOFTAC_HAVE_AVX512"]
        }],
        ["target_arch=='arm64'", {
          "dependencies": ["softac_isa_neon"],
          "defines": ["SOFTAC_HAVE_NEON"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "softac_isa_avx2",
          "type": "static_library",
          "sources": ["native/src/isa/kernels_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"]
        },
        {
          "target_name": "softac_isa_avx512",
          "type": "static_library",
          "sources": ["native/src/isa/kernels_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"]
        }
      ]
    }],
    ["target_arch=='arm64'", {
      "targets": [
        {
          "target_name": "softac_isa_neon",
          "type": "static_library",
          "sources": ["native/src/isa/kernels_neon.cc"]
        }
      ]
    }]
  ]
}
