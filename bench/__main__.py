"""`make bench`: every benchmark in this folder, each against its baseline in the same run."""

from bench import bench_build, bench_favor_llm_free, bench_judges, bench_model_adapters, bench_tracker, bench_video_reader

if __name__ == "__main__":
    bench_video_reader.main()
    bench_judges.main()
    bench_favor_llm_free.main([])
    bench_model_adapters.main()
    bench_tracker.main([])
    bench_build.main([])
