import type { DivisionNode } from './deployment.ts';

const township = (code: string, zh: string, en: string): DivisionNode => ({ code, name: { zh, en } });

/** 重庆市忠县 and its 29 streets and townships (statistical division codes). */
export const zhongCounty: DivisionNode = {
  code: '500233000000',
  name: { zh: '忠县', en: 'Zhong County' },
  children: [
    township('500233001000', '忠州街道', 'Zhongzhou Street'),
    township('500233002000', '白公街道', 'Baigong Street'),
    township('500233003000', '乌杨街道', 'Wuyang Street'),
    township('500233004000', '新生街道', 'Xinsheng Street'),
    township('500233101000', '任家镇', 'Renjia Town'),
    township('500233102000', '洋渡镇', 'Yangdu Town'),
    township('500233103000', '东溪镇', 'Dongxi Town'),
    township('500233104000', '复兴镇', 'Fuxing Town'),
    township('500233105000', '石宝镇', 'Shibao Town'),
    township('500233106000', '汝溪镇', 'Ruxi Town'),
    township('500233107000', '野鹤镇', 'Yehe Town'),
    township('500233108000', '官坝镇', 'Guanba Town'),
    township('500233109000', '石黄镇', 'Shihuang Town'),
    township('500233110000', '马灌镇', 'Maguan Town'),
    township('500233111000', '金鸡镇', 'Jinji Town'),
    township('500233112000', '新立镇', 'Xinli Town'),
    township('500233113000', '双桂镇', 'Shuanggui Town'),
    township('500233114000', '拔山镇', 'Bashan Town'),
    township('500233115000', '花桥镇', 'Huaqiao Town'),
    township('500233116000', '永丰镇', 'Yongfeng Town'),
    township('500233117000', '三汇镇', 'Sanhui Town'),
    township('500233118000', '白石镇', 'Baishi Town'),
    township('500233119000', '黄金镇', 'Huangjin Town'),
    township('500233201000', '善广乡', 'Shanguang Township'),
    township('500233202000', '石子乡', 'Shizi Township'),
    township('500233203000', '磨子土家族乡', 'Mozi Tujia Township'),
    township('500233204000', '涂井乡', 'Tujing Township'),
    township('500233205000', '金声乡', 'Jinsheng Township'),
    township('500233206000', '兴峰乡', 'Xingfeng Township'),
  ],
};
